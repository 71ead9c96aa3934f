/**
 * Fault injection (docs/fault-injection.md), black-box through the admin endpoint, raw JSON/CBOR
 * and the AWS SDK with its retries off: every fault kind and schedule, AWS's exact wording, the
 * same seed giving the same faults, faulted calls changing no state, and no rules changing nothing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand, DescribeLimitsCommand, DescribeStreamSummaryCommand, KinesisClient, ListStreamsCommand, PutRecordCommand, PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { jsonCall, rawRequest, type RawResponse } from "../../helpers/raw.js";
import { assertError, iteratorFor, partitionKeyFor, shardId, wires } from "./data-plane-helpers.js";
import { createActiveStream, readToTip } from "../../helpers/streams.js";
import { ManualClock } from "../../../src/util/clock.js";
import { parseFaultRules } from "../../../src/streams/index.js";
import { FaultControl } from "../../../src/streams/faults/fault-control.js";
import { FaultInjector } from "../../../src/streams/faults/fault-injector.js";
import type { FaultConfig } from "../../../src/streams/faults/fault-config.js";

const remote = process.env.TRIBUTARY_TEST_ENDPOINT !== undefined;
const account = "000000000000";
/** The last hash key: with two shards it routes to shard 1. */
const hashKeyMax = ((1n << 128n) - 1n).toString();
const clock = new ManualClock(Date.UTC(2025, 0, 1));

let server: TestServer;
let client: KinesisClient;

/** An SDK client as kinesisClient builds it, with retries off so each fault reaches the caller. */
function sdkClient(target: TestServer): KinesisClient {
  return new KinesisClient({
    endpoint: target.url,
    region: target.region,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
    maxAttempts: 1,
  });
}

function admin(method: string, body = ""): Promise<RawResponse> {
  return rawRequest(server.url, body, { method, path: "/_tributary/faults", contentType: "application/json" });
}

async function install(config: unknown): Promise<any> {
  const response = await admin("PUT", JSON.stringify(config));
  assert.equal(response.statusCode, 200, JSON.stringify(response.body));
  return response.body;
}

async function clear(): Promise<void> {
  assert.equal((await admin("DELETE")).statusCode, 200);
}

/** The error an SDK call rejects with. */
async function sdkError(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, message: failure.message, status: failure.$metadata?.httpStatusCode };
  }
  assert.fail("the call succeeded");
}

/** Which of `count` calls (numbered from 1) failed, and with which error names. */
async function faultedCalls(count: number, call: () => Promise<unknown>): Promise<Map<number, string>> {
  const faulted = new Map<number, string>();
  for (let number = 1; number <= count; number++) {
    try {
      await call();
    } catch (error) {
      faulted.set(number, (error as Error).name);
    }
  }
  return faulted;
}

const describeLimits = () => client.send(new DescribeLimitsCommand({}));

before(async () => {
  if (remote) return;
  server = await startTestServer({ clock });
  client = sdkClient(server);
});

after(async () => {
  if (remote) return;
  client.destroy();
  await server.stop();
});

describe("faults", { skip: remote ? "fault injection is Tributary's own admin endpoint" : false }, () => {
  it("faults > no rules > none are installed and calls run as without fault injection", async () => {
    const response = await admin("GET");
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.body, { config: null, counters: [] });
    assert.equal(server.app!.streams.faults.injector, undefined);
    const stream = randomStreamName("faults-none");
    await createActiveStream(client, stream, 1);
    const put = await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: "a", Data: Buffer.from("one") }));
    assert.equal(put.ShardId, shardId(0));
    const records = await readToTip(client, await iteratorFor(client, stream, 0, "TRIM_HORIZON"));
    assert.deepEqual(records.map((record) => Buffer.from(record.Data!).toString()), ["one"]);
  });

  it("faults > no rules > rules for other actions and streams leave a call untouched", async () => {
    const stream = randomStreamName("faults-other");
    await createActiveStream(client, stream, 1);
    await install({ rules: [{ action: "ListShards", fault: "internal-failure" }, { action: "PutRecord", stream: "not-this-one", fault: "throttle" }] });
    const put = await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: "a", Data: Buffer.from("kept") }));
    assert.equal(put.ShardId, shardId(0));
    const snapshot = (await admin("GET")).body;
    assert.deepEqual(snapshot.counters, [{ matchedCalls: 0, injectedCalls: 0 }, { matchedCalls: 0, injectedCalls: 0 }]);
    await clear();
    assert.deepEqual((await admin("GET")).body, { config: null, counters: [] });
    assert.equal(server.app!.streams.faults.injector, undefined);
  });

  it("faults > throttle > data-plane calls get ProvisionedThroughputExceededException naming their shard, in JSON and CBOR", async () => {
    const stream = randomStreamName("faults-throttle");
    await createActiveStream(client, stream, 2);
    const iterator = await iteratorFor(client, stream, 1, "TRIM_HORIZON");
    await install({ rules: [{ action: "*", stream, fault: "throttle" }] });
    const shardMessage = `Rate exceeded for shard ${shardId(1)} in stream ${stream} under account ${account}.`;
    const streamMessage = `Rate exceeded for stream ${stream} under account ${account}.`;
    for (const wire of wires) {
      const record = { PartitionKey: "a", ExplicitHashKey: hashKeyMax, Data: wire.blob(Buffer.from("lost")) };
      const call = (action: string, body: unknown) => wire.call(server.url, action, body);
      assertError(await call("PutRecord", { StreamName: stream, ...record }), 400, "ProvisionedThroughputExceededException", shardMessage);
      assertError(await call("PutRecords", { StreamName: stream, Records: [record, { PartitionKey: "b", Data: wire.blob(Buffer.from("x")) }] }), 400, "ProvisionedThroughputExceededException", shardMessage);
      assertError(await call("GetShardIterator", { StreamName: stream, ShardId: "1", ShardIteratorType: "LATEST" }), 400, "ProvisionedThroughputExceededException", shardMessage);
      assertError(await call("GetRecords", { ShardIterator: iterator }), 400, "ProvisionedThroughputExceededException", shardMessage);
      assertError(await call("DescribeStreamSummary", { StreamName: stream }), 400, "LimitExceededException", streamMessage);
      assertError(await call("ListShards", { StreamName: stream }), 400, "LimitExceededException", streamMessage);
    }
    await install({ rules: [{ action: "ListStreams", fault: "throttle" }] });
    for (const wire of wires) {
      assertError(await wire.call(server.url, "ListStreams", {}), 400, "LimitExceededException", `Rate exceeded for account ${account}.`);
    }
    await clear();
    assert.deepEqual(await readToTip(client, iterator), [], "a throttled write stored nothing");
  });

  it("faults > throttle > the SDK sees the exceptions it retries on", async () => {
    const stream = randomStreamName("faults-throttle-sdk");
    await createActiveStream(client, stream, 2);
    await install({ rules: [{ action: "PutRecord", fault: "throttle" }, { action: "DescribeStreamSummary", fault: "throttle" }] });
    assert.deepEqual(await sdkError(client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: "a", ExplicitHashKey: hashKeyMax, Data: Buffer.from("x") }))), {
      name: "ProvisionedThroughputExceededException",
      message: `Rate exceeded for shard ${shardId(1)} in stream ${stream} under account ${account}.`,
      status: 400,
    });
    assert.deepEqual(await sdkError(client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))), {
      name: "LimitExceededException",
      message: `Rate exceeded for stream ${stream} under account ${account}.`,
      status: 400,
    });
  });

  it("faults > internal-failure > InternalFailure 500, and the faulted call changes nothing", async () => {
    const message = "The request processing has failed because of an unknown error, exception or failure.";
    const stream = randomStreamName("faults-internal");
    await install({ rules: [{ action: "CreateStream", fault: "internal-failure" }] });
    for (const wire of wires) {
      assertError(await wire.call(server.url, "CreateStream", { StreamName: stream, ShardCount: 1 }), 500, "InternalFailure", message);
    }
    assert.deepEqual(await sdkError(client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }))), { name: "InternalFailure", message, status: 500 });
    await clear();
    assertError(await jsonCall(server.url, "DescribeStreamSummary", { StreamName: stream }), 400, "ResourceNotFoundException", `Stream ${stream} under account ${account} not found.`);
  });

  it("faults > service-unavailable > ServiceUnavailable 503", async () => {
    const message = "The request has failed due to a temporary failure of the server.";
    await install({ rules: [{ action: "DescribeLimits", fault: "service-unavailable" }] });
    for (const wire of wires) assertError(await wire.call(server.url, "DescribeLimits", {}), 503, "ServiceUnavailable", message);
    assert.deepEqual(await sdkError(describeLimits()), { name: "ServiceUnavailable", message, status: 503 });
  });

  it("faults > latency > a fixed delay holds the call, which then succeeds", async () => {
    await install({ rules: [{ action: "DescribeLimits", fault: "latency", latencyMs: 150 }] });
    const startedMs = performance.now();
    const limits = await describeLimits();
    // A lower bound only: the call cannot answer before its delay has passed.
    assert.ok(performance.now() - startedMs >= 149, `answered after ${performance.now() - startedMs} ms`);
    assert.equal(limits.$metadata.httpStatusCode, 200);
    assert.deepEqual((await admin("GET")).body.counters, [{ matchedCalls: 1, injectedCalls: 1 }]);
  });

  it("faults > latency > a range draws each delay from the seeded random, within bounds", async () => {
    const config = parsed({ seed: 3, rules: [{ action: "DescribeLimits", fault: "latency", latencyMsMin: 20, latencyMsMax: 60 }] });
    const delays = (injector: FaultInjector) => Array.from({ length: 20 }, () => injector.decide(request("DescribeLimits"), 0)!.delayMs);
    const first = delays(new FaultInjector(config, 0));
    assert.deepEqual(delays(new FaultInjector(config, 0)), first, "the same seed draws the same delays");
    assert.ok(first.every((delayMs) => delayMs >= 20 && delayMs <= 60), String(first));
    assert.ok(new Set(first).size > 1, "the delays vary");
    await install(config);
    const startedMs = performance.now();
    await describeLimits();
    assert.ok(performance.now() - startedMs >= first[0]! - 1, `answered after ${performance.now() - startedMs} ms, drawn ${first[0]}`);
  });

  it("faults > latency > the delay comes before a fault that fires with it", async () => {
    await install({ rules: [{ action: "DescribeLimits", fault: "latency", latencyMs: 100 }, { action: "DescribeLimits", fault: "service-unavailable" }] });
    const startedMs = performance.now();
    assert.equal((await sdkError(describeLimits())).name, "ServiceUnavailable");
    assert.ok(performance.now() - startedMs >= 99);
  });

  it("faults > latency > a stop ends pending delays with ServiceUnavailable", async () => {
    const faults = new FaultControl(clock, ["DescribeLimits"], parsed({ rules: [{ action: "DescribeLimits", fault: "latency", latencyMs: 60_000 }] }));
    const action = { shape: { type: "structure" as const, members: {} }, run: async () => assert.fail("the action ran") };
    const pending = faults.invoke(server.app!.streams.context, "DescribeLimits", action, {});
    faults.stop();
    await assert.rejects(pending, { name: "ServiceUnavailable" });
    assert.equal(faults.injector, undefined);
  });

  describe("faults > partial-failure", () => {
    const entries = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ PartitionKey: partitionKeyFor(index % 2, 2, `p${index}`), Data: Buffer.from(`entry-${index}`) }));

    it("faults > partial-failure > picked entries fail with AWS's ErrorCode and message and are not written", async () => {
      const stream = randomStreamName("faults-partial");
      await createActiveStream(client, stream, 2);
      const config = { seed: 11, rules: [{ action: "PutRecords", stream, fault: "partial-failure", fraction: 0.3 }] };
      await install(config);
      const records = entries(10);
      const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
      const failed = out.Records!.flatMap((entry, index) => (entry.ErrorCode ? [index] : []));
      assert.equal(out.FailedRecordCount, 3);
      assert.equal(failed.length, 3);
      const predicted = new FaultInjector(parsed(config), 0).decide(request("PutRecords", stream, 10), 0)!.outcome;
      assert.deepEqual(predicted, { kind: "partial-failure", errorCode: "ProvisionedThroughputExceededException", failedIndexes: failed });
      out.Records!.forEach((entry, index) => {
        const shard = shardId(index % 2);
        if (failed.includes(index)) {
          assert.deepEqual(entry, { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: `Rate exceeded for shard ${shard} in stream ${stream} under account ${account}.` });
        } else {
          assert.equal(entry.ShardId, shard);
          assert.match(entry.SequenceNumber!, /^\d+$/);
        }
      });
      await clear();
      for (const shard of [0, 1]) {
        const stored = await readToTip(client, await iteratorFor(client, stream, shard, "TRIM_HORIZON"));
        const kept = out.Records!.flatMap((entry, index) => (index % 2 === shard && !entry.ErrorCode ? [{ data: `entry-${index}`, sequenceNumber: entry.SequenceNumber }] : []));
        assert.deepEqual(stored.map((record) => ({ data: Buffer.from(record.Data!).toString(), sequenceNumber: record.SequenceNumber })), kept, `shard ${shard}`);
      }
    });

    for (const wire of wires) {
      it(`faults > partial-failure > ${wire.name} > InternalFailure entries for every entry, nothing written`, async () => {
        const stream = randomStreamName("faults-partial-all");
        await createActiveStream(client, stream, 2);
        await install({ rules: [{ action: "PutRecords", fault: "partial-failure", fraction: 1, errorCode: "InternalFailure" }] });
        const records = entries(2).map((entry) => ({ PartitionKey: entry.PartitionKey, Data: wire.blob(entry.Data) }));
        const response = await wire.call(server.url, "PutRecords", { StreamName: stream, Records: records });
        assert.equal(response.statusCode, 200, JSON.stringify(response.body));
        const failure = { ErrorCode: "InternalFailure", ErrorMessage: "Internal Service Failure" };
        assert.deepEqual(response.body, { FailedRecordCount: 2, Records: [failure, failure], EncryptionType: "NONE" });
        await clear();
        for (const shard of [0, 1]) assert.deepEqual(await readToTip(client, await iteratorFor(client, stream, shard, "TRIM_HORIZON")), []);
      });
    }

    it("faults > partial-failure > a request AWS refuses is still refused whole", async () => {
      const stream = randomStreamName("faults-partial-bad");
      await createActiveStream(client, stream, 1);
      await install({ rules: [{ action: "PutRecords", fault: "partial-failure", fraction: 0.5 }] });
      const missing = randomStreamName("faults-missing");
      assertError(await jsonCall(server.url, "PutRecords", { StreamName: missing, Records: [{ PartitionKey: "a", Data: "" }] }), 400, "ResourceNotFoundException", `Stream ${missing} under account ${account} not found.`);
      const badKey = "340282366920938463463374607431768211456";
      assertError(
        await jsonCall(server.url, "PutRecords", { StreamName: stream, Records: [{ PartitionKey: "a", Data: "" }, { PartitionKey: "b", ExplicitHashKey: badKey, Data: "" }] }),
        400,
        "InvalidArgumentException",
        `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${badKey}`,
      );
      await clear();
      assert.deepEqual(await readToTip(client, await iteratorFor(client, stream, 0, "TRIM_HORIZON")), []);
    });
  });

  describe("faults > schedule", () => {
    it("faults > schedule > every 3 faults calls 3 and 6", async () => {
      await install({ rules: [{ action: "DescribeLimits", fault: "internal-failure", schedule: { every: 3 } }] });
      assert.deepEqual(await faultedCalls(7, describeLimits), new Map([[3, "InternalFailure"], [6, "InternalFailure"]]));
    });

    it("faults > schedule > calls [1, 2, 5] faults exactly those", async () => {
      await install({ rules: [{ action: "DescribeLimits", fault: "throttle", schedule: { calls: [1, 2, 5] } }] });
      const expected = new Map([1, 2, 5].map((number) => [number, "LimitExceededException"]));
      assert.deepEqual(await faultedCalls(6, describeLimits), expected);
    });

    it("faults > schedule > after 2, count 2 faults calls 3 and 4; without count, every call after", async () => {
      await install({ rules: [{ action: "DescribeLimits", fault: "service-unavailable", schedule: { after: 2, count: 2 } }] });
      assert.deepEqual(await faultedCalls(6, describeLimits), new Map([[3, "ServiceUnavailable"], [4, "ServiceUnavailable"]]));
      await install({ rules: [{ action: "DescribeLimits", fault: "service-unavailable", schedule: { after: 4 } }] });
      assert.deepEqual(await faultedCalls(6, describeLimits), new Map([[5, "ServiceUnavailable"], [6, "ServiceUnavailable"]]));
    });

    it("faults > schedule > calls outside fromMs/untilMs are neither faulted nor counted", async () => {
      await install({ rules: [{ action: "DescribeLimits", fault: "internal-failure", fromMs: 1000, untilMs: 2000 }] });
      await describeLimits();
      clock.advance(1000);
      assert.equal((await sdkError(describeLimits())).name, "InternalFailure");
      clock.advance(999);
      assert.equal((await sdkError(describeLimits())).name, "InternalFailure");
      clock.advance(1);
      await describeLimits();
      assert.deepEqual((await admin("GET")).body.counters, [{ matchedCalls: 2, injectedCalls: 2 }]);
    });

    it("faults > schedule > the first rule that fires decides; every matching rule counts the call", async () => {
      await install({
        rules: [
          { action: "DescribeLimits", fault: "internal-failure", schedule: { calls: [1] } },
          { action: "*", fault: "service-unavailable" },
        ],
      });
      assert.deepEqual(await faultedCalls(2, describeLimits), new Map([[1, "InternalFailure"], [2, "ServiceUnavailable"]]));
      assert.deepEqual((await admin("GET")).body.counters, [{ matchedCalls: 2, injectedCalls: 1 }, { matchedCalls: 2, injectedCalls: 1 }]);
    });
  });

  describe("faults > rate", () => {
    const rated = (seed: number) => ({ seed, rules: [{ action: "DescribeLimits", fault: "throttle", rate: 0.5 }, { action: "ListStreams", fault: "internal-failure", rate: 0.5 }] });
    /** 40 calls alternating between the two actions. */
    const sequence = () => faultedCalls(40, async () => {
      await describeLimits();
      await client.send(new ListStreamsCommand({}));
    });

    it("faults > rate > the same seed and calls give the same faults, as a local replay predicts", async () => {
      await install(rated(7));
      const first = await sequence();
      await install(rated(7));
      assert.deepEqual(await sequence(), first);
      assert.ok(first.size > 0 && first.size < 40, `${first.size} of 40 faulted`);
      // Replays the arrivals the server saw: each round is DescribeLimits, then ListStreams unless DescribeLimits failed.
      const replay = new FaultInjector(parsed(rated(7)), 0);
      const predicted = new Map<number, string>();
      for (let number = 1; number <= 40; number++) {
        if (replay.decide(request("DescribeLimits"), 0)) predicted.set(number, "LimitExceededException");
        else if (replay.decide(request("ListStreams"), 0)) predicted.set(number, "InternalFailure");
      }
      assert.deepEqual(first, predicted);
      await install(rated(8));
      assert.notDeepEqual(await sequence(), first, "another seed gives other faults");
    });

    it("faults > rate > 0 never faults and 1 always does", async () => {
      await install({ rules: [{ action: "DescribeLimits", fault: "throttle", rate: 0 }] });
      assert.equal((await faultedCalls(5, describeLimits)).size, 0);
      await install({ rules: [{ action: "DescribeLimits", fault: "throttle", rate: 1 }] });
      assert.equal((await faultedCalls(5, describeLimits)).size, 5);
    });
  });

  describe("faults > admin endpoint", () => {
    it("faults > admin endpoint > PUT answers the normalized rules; GET reads them with their counters", async () => {
      const body = await install({ rules: [{ action: "PutRecords", fault: "partial-failure", fraction: 0.5 }] });
      const config = { seed: 0, rules: [{ action: "PutRecords", fault: "partial-failure", fraction: 0.5, errorCode: "ProvisionedThroughputExceededException" }] };
      assert.deepEqual(body, { config, counters: [{ matchedCalls: 0, injectedCalls: 0 }] });
      assert.deepEqual((await admin("GET")).body, body);
    });

    it("faults > admin endpoint > a bad document is refused with where and why, and the rules in force stay", async () => {
      await install({ rules: [{ action: "DescribeLimits", fault: "throttle" }] });
      const cases: [string, string][] = [
        ["{", "not valid JSON: "],
        ['{"rules": {}}', "rules: expected a list of up to 100 rules, got {}"],
        ['{"rules": [], "sead": 1}', "faults: unknown member 'sead' (expected seed, rules)"],
        ['{"seed": -1, "rules": []}', "seed: expected an integer from 0 to 4294967295, got -1"],
        ['{"rules": [{"action": "PutRecord", "fault": "slow"}]}', 'rules[0].fault: expected one of throttle, internal-failure, service-unavailable, latency, partial-failure, got "slow"'],
        ['{"rules": [{"action": "PutRecordz", "fault": "throttle"}]}', "rules[0].action: expected '*' or one of "],
        ['{"rules": [{"action": "PutRecord", "fault": "partial-failure", "fraction": 0.5}]}', 'rules[0].action: a partial-failure rule applies to PutRecords only, got "PutRecord"'],
        ['{"rules": [{"action": "*", "fault": "throttle", "latencyMs": 5}]}', "rules[0].latencyMs: only a latency rule takes latencyMs, this one is throttle"],
        ['{"rules": [{"action": "*", "fault": "latency"}]}', "rules[0].latencyMs: expected an integer from 0 to 60000, got nothing"],
        ['{"rules": [{"action": "*", "fault": "latency", "latencyMsMin": 9, "latencyMsMax": 3}]}', "rules[0].latencyMsMax: expected at least latencyMsMin (9), got 3"],
        ['{"rules": [{"action": "*", "fault": "throttle", "rate": 1.5}]}', "rules[0].rate: expected a number from 0 to 1, got 1.5"],
        ['{"rules": [{"action": "*", "fault": "throttle", "rate": 1, "schedule": {"every": 2}}]}', "rules[0]: give either rate or schedule, not both"],
        ['{"rules": [{"action": "*", "fault": "throttle", "schedule": {"every": 0}}]}', "rules[0].schedule.every: expected an integer from 1 to 2147483647, got 0"],
        ['{"rules": [{"action": "*", "fault": "throttle", "schedule": {"every": 2, "calls": [1]}}]}', 'rules[0].schedule: expected exactly one of every, calls or after (with an optional count), got {"every":2,"calls":[1]}'],
        ['{"rules": [{"action": "*", "fault": "throttle", "schedule": {"calls": [1, "2"]}}]}', 'rules[0].schedule.calls[1]: expected an integer from 1 to 2147483647, got "2"'],
        ['{"rules": [{"action": "*", "fault": "throttle", "fromMs": 10, "untilMs": 10}]}', "rules[0].untilMs: expected more than fromMs (10), got 10"],
        ['{"rules": [{"action": "*", "stream": "a b", "fault": "throttle"}]}', 'rules[0].stream: expected a stream name (1 to 128 of a-z, A-Z, 0-9, _ . -), got "a b"'],
        ['{"rules": [{"action": "*", "fault": "throttle", "__proto__": {}}]}', "rules[0]: unknown member '__proto__' (expected action, stream, fault, latencyMs, latencyMsMin, latencyMsMax, fraction, errorCode, rate, schedule, fromMs, untilMs)"],
      ];
      for (const [document, message] of cases) {
        const response = await admin("PUT", document);
        assert.equal(response.statusCode, 400, document);
        assert.ok(response.body.message.startsWith(message), `${document}: ${response.body.message}`);
        if (!message.endsWith(": ") && !message.endsWith("one of ")) assert.equal(response.body.message, message, document);
      }
      assert.equal((await admin("GET")).body.config.rules[0].action, "DescribeLimits");
      assert.equal((await sdkError(describeLimits())).name, "LimitExceededException");
    });

    it("faults > admin endpoint > a document over 1 MiB is refused with 413", async () => {
      const response = await admin("PUT", JSON.stringify({ rules: [], padding: "x".repeat(1024 * 1024) }));
      assert.equal(response.statusCode, 413);
      assert.deepEqual(response.body, { message: "fault rules must be at most 1048576 bytes" });
    });

    it("faults > admin endpoint > it is no AWS action: AWS calls on its path and unknown targets answer as before", async () => {
      await clear();
      const listed = await rawRequest(server.url, "{}", { path: "/_tributary/faults", target: "Kinesis_20131202.ListStreams", contentType: "application/x-amz-json-1.1" });
      assert.equal(listed.statusCode, 200);
      assert.ok(Array.isArray(listed.body.StreamNames));
      const unknown = await jsonCall(server.url, "PutFaults", { rules: [] });
      assert.equal(unknown.statusCode, 400);
      assert.deepEqual(unknown.body, { __type: "UnknownOperationException" });
      // Any other path is S3's (the object store shares the port): a bucket that does not exist.
      const elsewhere = await rawRequest(server.url, "", { method: "GET", path: "/faults" });
      assert.equal(elsewhere.statusCode, 404);
      assert.match(elsewhere.raw.toString(), /<Code>NoSuchBucket<\/Code>/);
    });
  });
});

function parsed(config: unknown): FaultConfig {
  const outcome = parseFaultRules(JSON.stringify(config));
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.message);
  return outcome.config;
}

function request(action: string, streamName?: string, entryCount = 0) {
  return { action, streamName: () => streamName, entryCount: () => entryCount };
}
