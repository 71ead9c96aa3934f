/**
 * AWS's rates shared by the nodes of a cluster (src/streams/limits/cluster-rates.ts): two nodes'
 * meters joined by an in-process peer hub, on one ManualClock, each offered as much as the whole
 * rate, so the pair is offered twice it. Together they admit about the rate: at most rate × T, plus
 * each node's full bucket at the start, plus what the other admits in one report interval.
 * Without the reports each node admits the whole rate, and the pair twice it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createPeerHub, type PeerHub } from "../../src/storage/peer-bus.js";
import { ManualClock } from "../../src/util/clock.js";
import { silentLogger } from "../../src/util/logger.js";
import { defaultStreamsConfig } from "../../src/streams/config.js";
import type { StreamMeta } from "../../src/streams/model.js";
import { controlPlaneRates, createStreamLimits, ratesReportIntervalMs, type StreamLimits } from "../../src/streams/limits/index.js";
import { decodeRates, encodeRates, ratesMessageBytesMax, type RatesReport } from "../../src/streams/limits/rates-message.js";
import { shardIdFromIndex } from "../../src/core/shard-id.js";

const accountId = "000000000000";
const stepMs = 10;
const seconds = 10;
const stream = { streamId: "stream-1", StreamName: "orders" } as StreamMeta;

interface Node {
  limits: StreamLimits;
}

function twoNodes(clock: ManualClock, hub: PeerHub = createPeerHub()): Node[] {
  return ["a", "b"].map((nodeId) => {
    const limits = createStreamLimits({ ...defaultStreamsConfig, limits: "aws" }, { clock, logger: silentLogger, peers: hub.join(nodeId) })!;
    limits.cluster!.start();
    return { limits };
  });
}

/** Runs `offer` on each node every `stepMs` for `seconds`, with the reports flowing; the calls admitted in total. */
async function drive(clock: ManualClock, nodes: Node[], offer: (node: Node, nowMs: number) => number): Promise<number> {
  let admitted = 0;
  for (let elapsedMs = 0; elapsedMs < seconds * 1000; elapsedMs += stepMs) {
    for (const node of nodes) admitted += offer(node, clock.nowMs());
    // Fires the report timers on the way, and lets the hub deliver (a later turn of the event loop).
    await clock.advanceAsync(stepMs);
  }
  for (const node of nodes) node.limits.cluster!.stop();
  return admitted;
}

function throttledCall(admit: () => void): number {
  try {
    admit();
    return 1;
  } catch {
    return 0;
  }
}

/** The bound with the reports: rate × T, both nodes' full buckets, and one node's admissions during a report's lag. */
function bound(ratePerSecond: number, burst: number): number {
  return ratePerSecond * seconds + 2 * burst + 2 * ratePerSecond * ((ratesReportIntervalMs + stepMs) / 1000);
}

describe("limits > cluster rates", () => {
  it("two nodes writing one shard at twice its record rate admit about 1,000 records a second together", async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const nodes = twoNodes(clock);
    const data = Buffer.from("x");
    // Each node is offered 1,000 records a second (10 every 10 ms): 2,000 together.
    const admitted = await drive(clock, nodes, (node, nowMs) => {
      const writes = node.limits.throughput.writes(stream, nowMs);
      let count = 0;
      for (let record = 0; record < 10; record++) if (writes.admit(0, "k", data)) count++;
      return count;
    });
    const max = bound(1000, 1000);
    assert.ok(admitted <= max, `admitted ${admitted} records in ${seconds} s through two nodes; at most ${max}`);
    assert.ok(admitted >= 1000 * seconds * 0.9, `admitted ${admitted} records: the shard's rate is not starved`);
    // Each node's write meter counts both nodes' records: what its on-demand scaler samples.
    for (const node of nodes) {
      const meter = node.limits.throughput.writeMeter(stream.streamId, 0)!;
      assert.ok(Math.abs(meter.recordsWritten - admitted) <= 2 * 10 * ((ratesReportIntervalMs + stepMs) / stepMs), `a node's meter counts ${meter.recordsWritten} of ${admitted}`);
    }
  });

  it("two nodes writing one shard at twice its byte rate admit about 1 MiB a second together", async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const nodes = twoNodes(clock);
    const data = Buffer.alloc(10 * 1024 - 1);
    let bytes = 0;
    // Each node is offered 1 MiB a second (about 1 MiB / 100 every 10 ms, in 10 KiB records with their 1-byte key).
    await drive(clock, nodes, (node, nowMs) => {
      const writes = node.limits.throughput.writes(stream, nowMs);
      let count = 0;
      for (let record = 0; record < 1; record++) if (writes.admit(0, "k", data)) count++;
      bytes += count * 10 * 1024;
      return count;
    });
    const max = bound(1024 * 1024, 1024 * 1024) + 2 * 10 * 1024;
    assert.ok(bytes <= max, `admitted ${bytes} bytes in ${seconds} s through two nodes; at most ${max}`);
    assert.ok(bytes >= 1024 * 1024 * seconds * 0.9, `admitted ${bytes} bytes: the shard's rate is not starved`);
  });

  it("shares GetRecords' five calls a second on a shard", async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const nodes = twoNodes(clock);
    // Each node calls every 10 ms: 100 calls a second, twenty times the shard's rate each.
    const admitted = await drive(clock, nodes, (node, nowMs) => (node.limits.throughput.admitRead(stream, 0, nowMs) ? 1 : 0));
    const max = bound(5, 5);
    assert.ok(admitted <= max, `admitted ${admitted} GetRecords calls in ${seconds} s through two nodes; at most ${max}`);
    assert.ok(admitted >= 5 * seconds * 0.9, `admitted ${admitted} calls`);
  });

  it("shares GetRecords' 2 MiB a second on a shard: a node's reads wait for what the other read", async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const [a, b] = twoNodes(clock);
    const tenMiB = [{ data: Buffer.alloc(10 * 1024 * 1024) }] as never;
    assert.ok(a!.limits.throughput.admitRead(stream, 0, clock.nowMs()));
    a!.limits.throughput.chargeRead(stream, 0, clock.nowMs(), tenMiB);
    await clock.advanceAsync(ratesReportIntervalMs);
    // 10 MiB less the 2 MiB B's bucket held: four seconds before B reads again.
    assert.equal(b!.limits.throughput.admitRead(stream, 0, clock.nowMs()), false);
    await clock.advanceAsync(3500);
    assert.equal(b!.limits.throughput.admitRead(stream, 0, clock.nowMs()), false);
    await clock.advanceAsync(600);
    assert.equal(b!.limits.throughput.admitRead(stream, 0, clock.nowMs()), true);
    a!.limits.cluster!.stop();
    b!.limits.cluster!.stop();
  });

  it("shares DescribeStream's ten calls a second per account", async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const nodes = twoNodes(clock);
    const rate = controlPlaneRates.DescribeStream!;
    // Each node calls every 10 ms on streams of one account: the account's bucket is one.
    let call = 0;
    const admitted = await drive(clock, nodes, (node, nowMs) =>
      throttledCall(() => node.limits.controlPlane.admit("DescribeStream", rate, { StreamName: `stream-${call++ % 3}` }, nowMs, accountId)),
    );
    const max = bound(10, 10);
    assert.ok(admitted <= max, `admitted ${admitted} DescribeStream calls in ${seconds} s through two nodes; at most ${max}`);
    assert.ok(admitted >= 10 * seconds * 0.9, `admitted ${admitted} calls`);
  });

  it("keeps accounts and shards apart: another shard's writes and another account's calls take nothing", async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const [a, b] = twoNodes(clock);
    const writes = a!.limits.throughput.writes(stream, clock.nowMs());
    for (let record = 0; record < 1000; record++) assert.ok(writes.admit(1, "k", Buffer.from("x")));
    for (let call = 0; call < 10; call++) a!.limits.controlPlane.admit("DescribeStream", controlPlaneRates.DescribeStream, {}, clock.nowMs(), "111111111111");
    await clock.advanceAsync(ratesReportIntervalMs);
    assert.equal(b!.limits.throughput.writes(stream, clock.nowMs()).admit(1, "k", Buffer.from("x")), false, "shard 1 is spent");
    assert.equal(b!.limits.throughput.writes(stream, clock.nowMs()).admit(0, "k", Buffer.from("x")), true, "shard 0 is not");
    assert.throws(() => b!.limits.controlPlane.admit("DescribeStream", controlPlaneRates.DescribeStream, {}, clock.nowMs(), "111111111111"));
    b!.limits.controlPlane.admit("DescribeStream", controlPlaneRates.DescribeStream, {}, clock.nowMs(), accountId);
    a!.limits.cluster!.stop();
    b!.limits.cluster!.stop();
  });

  it("an engine without peers reports nothing and tracks nothing", () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const limits = createStreamLimits({ ...defaultStreamsConfig, limits: "aws" }, { clock, logger: silentLogger })!;
    assert.equal(limits.cluster, undefined);
    assert.ok(limits.throughput.writes(stream, clock.nowMs()).admit(0, "k", Buffer.from("x")));
    assert.deepEqual(limits.throughput.takeDirty(), []);
    assert.equal(limits.controlPlane.takeAdmitted().size, 0);
    assert.equal(clock.pendingTimers(), 0);
  });
});

describe("limits > cluster rates > message", () => {
  it("reads back what it wrote, split into messages of at most ratesMessageBytesMax", () => {
    const report: RatesReport = {
      streams: Array.from({ length: 3 }, (_, streamIndex) => ({
        streamId: `stream-${streamIndex}-${"x".repeat(36)}`,
        writeBytesCapacity: 10 * 1024 * 1024,
        shards: Array.from({ length: 3000 }, (__, shardIndex) => ({ shardIndex, records: shardIndex * 7, bytes: 2 ** 40 + shardIndex, readCalls: shardIndex % 5, readBytes: 2 ** 52 })),
      })),
      buckets: [[`${accountId}\nDescribeStream`, 3], [`${accountId}\nGetShardIterator\norders\n${shardIdFromIndex(7)}`, 15]],
    };
    const messages = encodeRates(report);
    assert.ok(messages.length > 1);
    const merged: RatesReport = { streams: [], buckets: [] };
    for (const message of messages) {
      assert.ok(message.length <= ratesMessageBytesMax);
      const decoded = decodeRates(message)!;
      for (const streamRates of decoded.streams) {
        const last = merged.streams[merged.streams.length - 1];
        if (last?.streamId === streamRates.streamId) last.shards.push(...streamRates.shards);
        else merged.streams.push(streamRates);
      }
      merged.buckets.push(...decoded.buckets);
    }
    assert.deepEqual(merged, report);
  });

  it("drops a message of another version or one cut short", () => {
    const [message] = encodeRates({ streams: [{ streamId: "s", writeBytesCapacity: 1, shards: [{ shardIndex: 0, records: 1, bytes: 1, readCalls: 0, readBytes: 0 }] }], buckets: [] });
    assert.equal(decodeRates(Uint8Array.from([2, ...message!.subarray(1)])), undefined);
    assert.equal(decodeRates(message!.subarray(0, message!.length - 1)), undefined);
    assert.equal(decodeRates(Uint8Array.from([1, 9])), undefined);
  });
});
