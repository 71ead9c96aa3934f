/**
 * LeaseCoordinator: several workers in one process over one lease table, with real timers and
 * short lease periods. Besides the outcomes (balance, take-over after expiry, stealing, hand-off,
 * fencing of checkpoints), a sampler reads every worker's held() set every few milliseconds and
 * checks that no lease is held by two workers for longer than the lease period.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ConsumerError, DynamoDbLeaseTable, LeaseCoordinator, type LeaseCoordinatorOptions } from "../../src/client/consumer/lease/index.js";
import type { Lease, LeaseTable } from "../../src/client/consumer/types.js";
import { leaseEndpoints, randomTableName, type RunningLeaseEndpoint } from "./consumer-lease-endpoints.js";

const leaseKeys = Array.from({ length: 6 }, (_, i) => `shardId-${String(i).padStart(12, "0")}`);

function newLease(leaseKey: string, sequenceNumber = "TRIM_HORIZON"): Lease {
  return { leaseKey, leaseCounter: 0, checkpoint: { sequenceNumber, subSequenceNumber: 0 }, ownerSwitchesSinceCheckpoint: 0, parentShardIds: [], childShardIds: [] };
}

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 6000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A worker under test, with its acquisitions and losses logged with their times. */
class Worker {
  readonly acquired: Array<{ leaseKey: string; atMs: number }> = [];
  readonly lost: Array<{ leaseKey: string; atMs: number }> = [];
  readonly coordinator: LeaseCoordinator;
  constructor(readonly workerId: string, table: LeaseTable, options: Partial<LeaseCoordinatorOptions> = {}) {
    this.coordinator = new LeaseCoordinator({
      table,
      workerId,
      failoverTimeMs: 600,
      takeIntervalMs: 150,
      onAcquired: (lease) => this.acquired.push({ leaseKey: lease.leaseKey, atMs: Date.now() }),
      onLost: (leaseKey) => this.lost.push({ leaseKey, atMs: Date.now() }),
      ...options,
    });
  }
  keys(): string[] {
    return this.coordinator.held().map((lease) => lease.leaseKey).sort();
  }
}

/** Samples every worker's held() and measures, per lease, how long it was held by two or more at once. */
class OverlapSampler {
  maxOverlapMs = 0;
  samples = 0;
  private readonly since = new Map<string, number>();
  private readonly timer: ReturnType<typeof setInterval>;
  constructor(private readonly workers: () => Worker[]) {
    this.timer = setInterval(() => this.sample(), 5);
  }
  private sample(): void {
    this.samples++;
    const nowMs = Date.now();
    const holders = new Map<string, number>();
    for (const worker of this.workers()) for (const key of worker.keys()) holders.set(key, (holders.get(key) ?? 0) + 1);
    for (const key of new Set([...holders.keys(), ...this.since.keys()])) {
      const shared = (holders.get(key) ?? 0) >= 2;
      const start = this.since.get(key);
      if (shared && start === undefined) this.since.set(key, nowMs);
      if (start !== undefined) this.maxOverlapMs = Math.max(this.maxOverlapMs, nowMs - start);
      if (!shared) this.since.delete(key);
    }
  }
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

/** A LeaseTable that records when each successful renewal of each lease was sent. */
function recordingRenewals(table: LeaseTable): { table: LeaseTable; lastRenewSentMs: Map<string, number> } {
  const lastRenewSentMs = new Map<string, number>();
  const wrapped = Object.create(table) as LeaseTable;
  wrapped.renew = async (lease) => {
    const sentMs = Date.now();
    const renewed = await table.renew(lease);
    if (renewed !== undefined) lastRenewSentMs.set(lease.leaseKey, sentMs);
    return renewed;
  };
  return { table: wrapped, lastRenewSentMs };
}

for (const endpoint of leaseEndpoints()) {
  describe(`lease coordinator (${endpoint.name})`, () => {
    let running: RunningLeaseEndpoint;
    let client: DynamoDBClient;
    const started: Worker[] = [];

    before(async () => {
      running = await endpoint.start();
      client = running.client();
    });

    after(async () => {
      await Promise.all(started.map((worker) => worker.coordinator.stop()));
      client.destroy();
      await running.stop();
    });

    async function leaseTable(extra: Lease[] = []): Promise<DynamoDbLeaseTable> {
      const table = new DynamoDbLeaseTable({ client, tableName: randomTableName("coordinator") });
      await table.ensureTable();
      for (const lease of [...leaseKeys.map((key) => newLease(key)), ...extra]) assert.equal(await table.createIfAbsent(lease), true);
      return table;
    }

    async function start(worker: Worker): Promise<Worker> {
      started.push(worker);
      await worker.coordinator.start();
      return worker;
    }

    const counts = (workers: Worker[]) => workers.map((worker) => worker.keys().length);
    const allKeys = (workers: Worker[]) => workers.flatMap((worker) => worker.keys()).sort();

    it("balance > three workers starting together share six leases 2/2/2 and leave finished ones alone", async () => {
      const table = await leaseTable([newLease("shardId-finished", "SHARD_END")]);
      const workers = ["a", "b", "c"].map((id) => new Worker(id, table));
      const sampler = new OverlapSampler(() => workers);
      await Promise.all(workers.map(start));
      await waitFor("2/2/2", () => counts(workers).every((count) => count === 2) && allKeys(workers).length === 6);
      sampler.stop();
      assert.deepEqual(allKeys(workers), leaseKeys);
      assert.ok(sampler.maxOverlapMs <= 600, `a lease was held twice for ${sampler.maxOverlapMs} ms`);
      const stored = await table.list();
      for (const worker of workers) {
        for (const key of worker.keys()) assert.equal(stored.find((lease) => lease.leaseKey === key)?.leaseOwner, worker.workerId);
      }
      assert.equal(stored.find((lease) => lease.leaseKey === "shardId-finished")?.leaseOwner, undefined);
      await Promise.all(workers.map((worker) => worker.coordinator.stop()));
    });

    it("balance > joining workers steal down to 3/3 and then 2/2/2", async () => {
      const table = await leaseTable();
      const workers: Worker[] = [];
      const sampler = new OverlapSampler(() => workers);
      const a = new Worker("a", table);
      workers.push(a);
      await start(a);
      assert.deepEqual(a.keys(), leaseKeys, "a lone worker takes every lease in its first round");
      const b = new Worker("b", table);
      workers.push(b);
      await start(b);
      await waitFor("3/3", () => a.keys().length === 3 && b.keys().length === 3);
      assert.equal(a.lost.length, 3, "a lost exactly the three stolen leases");
      assert.deepEqual([...a.lost.map((event) => event.leaseKey)].sort(), b.keys());
      const c = new Worker("c", table);
      workers.push(c);
      await start(c);
      await waitFor("2/2/2", () => counts(workers).every((count) => count === 2) && allKeys(workers).length === 6);
      sampler.stop();
      assert.deepEqual(allKeys(workers), leaseKeys);
      assert.ok(sampler.maxOverlapMs <= 600, `a lease was held twice for ${sampler.maxOverlapMs} ms`);
      const stolen = (await table.list()).filter((lease) => lease.ownerSwitchesSinceCheckpoint > 0).length;
      assert.ok(stolen >= 3, `at least b's three leases changed owner, counted ${stolen}`);
      await Promise.all(workers.map((worker) => worker.coordinator.stop()));
    });

    it("expiry > a stopped worker's leases are taken after the lease period, never earlier", async () => {
      const base = await leaseTable();
      const recorded = recordingRenewals(base);
      const a = new Worker("a", recorded.table);
      await start(a);
      const b = new Worker("b", base);
      const workers = [a, b];
      const sampler = new OverlapSampler(() => workers);
      await start(b);
      await waitFor("3/3", () => a.keys().length === 3 && b.keys().length === 3);
      const aKeys = a.keys();
      await sleep(250); // a renews them at least once more
      await a.coordinator.stop();
      const stoppedMs = Date.now();
      const acquiredBefore = b.acquired.length;
      await waitFor("b holds all six", () => b.keys().length === 6);
      sampler.stop();
      const takeovers = b.acquired.slice(acquiredBefore);
      assert.deepEqual(takeovers.map((event) => event.leaseKey).sort(), aKeys);
      for (const { leaseKey, atMs } of takeovers) {
        const renewedMs = recorded.lastRenewSentMs.get(leaseKey);
        assert.ok(renewedMs !== undefined && renewedMs <= stoppedMs);
        assert.ok(atMs - renewedMs >= 600, `${leaseKey} taken ${atMs - renewedMs} ms after a's last renewal`);
      }
      assert.ok(sampler.maxOverlapMs <= 600, `a lease was held twice for ${sampler.maxOverlapMs} ms`);
      assert.deepEqual(a.keys(), [], "a's own view expired too");
      await b.coordinator.stop();
    });

    it("release > hands a lease off without waiting for it to expire", async () => {
      const table = await leaseTable();
      const options = { failoverTimeMs: 3000, takeIntervalMs: 100 };
      const a = await start(new Worker("a", table, options));
      const b = await start(new Worker("b", table, options));
      await waitFor("3/3", () => a.keys().length === 3 && b.keys().length === 3);
      const aKeys = a.keys();
      const lossesBefore = a.lost.length;
      await a.coordinator.stop();
      const releasedMs = Date.now();
      await Promise.all(aKeys.map((key) => a.coordinator.release(key)));
      assert.deepEqual(a.keys(), []);
      // b may already have taken some (it scans every ~100 ms); none may still name a.
      for (const lease of await table.list()) {
        if (aKeys.includes(lease.leaseKey)) assert.notEqual(lease.leaseOwner, "a");
      }
      await waitFor("b holds all six", () => b.keys().length === 6, 2500);
      assert.ok(Date.now() - releasedMs < 3000, "taken within the lease period: only a hand-off allows that");
      assert.equal(a.lost.length, lossesBefore, "a release is not a loss");
      await b.coordinator.stop();
    });

    it("checkpoint > writes through the held lease, and renewals go on after it", async () => {
      const table = await leaseTable();
      const a = await start(new Worker("a", table, { failoverTimeMs: 300 }));
      const key = leaseKeys[0]!;
      await a.coordinator.checkpoint(key, { sequenceNumber: "4960", subSequenceNumber: 3 });
      await a.coordinator.setChildShardIds(key, ["shardId-000000000009"]);
      await sleep(700);
      assert.equal(a.coordinator.heldLease(key)?.leaseKey, key, "still held after more than a lease period");
      assert.deepEqual(a.lost, []);
      const stored = await table.get(key);
      assert.deepEqual(stored?.checkpoint, { sequenceNumber: "4960", subSequenceNumber: 3 });
      assert.deepEqual(stored?.childShardIds, ["shardId-000000000009"]);
      assert.equal(stored?.leaseOwner, "a");
      await a.coordinator.stop();
    });

    it("checkpoint > after a steal it rejects LeaseLost and reports the loss", async () => {
      const table = await leaseTable();
      const a = await start(new Worker("a", table, { failoverTimeMs: 5000 }));
      const key = leaseKeys[1]!;
      const stolen = await table.take((await table.get(key))!, "thief");
      assert.equal(stolen?.leaseOwner, "thief");
      await assert.rejects(
        a.coordinator.checkpoint(key, { sequenceNumber: "1", subSequenceNumber: 0 }),
        (error: unknown) => error instanceof ConsumerError && error.code === "LeaseLost",
      );
      assert.deepEqual(a.lost.map((event) => event.leaseKey), [key]);
      assert.equal(a.coordinator.heldLease(key), undefined);
      assert.deepEqual(await table.get(key), stolen, "the thief's lease is untouched");
      await assert.rejects(
        a.coordinator.checkpoint(key, { sequenceNumber: "2", subSequenceNumber: 0 }),
        (error: unknown) => error instanceof ConsumerError && error.code === "LeaseLost",
      );
      await a.coordinator.stop();
    });

    it("renewal > a lease that cannot be renewed is lost locally after the lease period", async () => {
      const base = await leaseTable();
      let unreachable = false;
      const flaky = Object.create(base) as LeaseTable;
      flaky.renew = (lease) => (unreachable ? Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })) : base.renew(lease));
      flaky.list = () => (unreachable ? Promise.reject(new Error("unreachable")) : base.list());
      const errors: unknown[] = [];
      const a = await start(new Worker("a", flaky, { failoverTimeMs: 300, onError: (error) => errors.push(error) }));
      assert.equal(a.keys().length, 6);
      unreachable = true;
      const cutMs = Date.now();
      await waitFor("a's leases expire locally", () => a.keys().length === 0, 3000);
      assert.ok(Date.now() - cutMs >= 300 - 100 - 20, "not before the lease period (less one renewal interval)");
      await waitFor("six losses reported", () => a.lost.length === 6, 1000);
      assert.ok(errors.length > 0);
      for (const lease of await base.list()) assert.equal(lease.leaseOwner, "a", "the table still names a");
      await a.coordinator.stop();
    });
  });
}
