/**
 * Seeded random operation sequences against the embedded engine on the simulated disk, checked
 * against a simple model (redpanda's opfuzz): appends (single and concurrent), reads at random
 * offsets and limits, time lookups, retention, clean reopens, faults (torn writes, failed fsyncs,
 * disk full) and crashes in the middle of writes under each crash model.
 *
 * A failure prints its seed; replay it with TRIBUTARY_FUZZ_SEED=<seed> (and TRIBUTARY_FUZZ_STEPS to
 * change the length). TRIBUTARY_FUZZ_SEEDS=<n> runs more seeds.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SimFs, errnoError, type CrashMode, type SimOpKind } from "./sim-fs.js";
import { openSim, registerStreams, streamId, t0 } from "./sim-engine.js";
import type { AppendOutcome, AppendRecord, StorageEngine, StoredRecord } from "../../src/storage/types.js";
import type { EmbeddedEngineOptions, FsyncPolicy } from "../../src/storage/index.js";
import { ManualClock } from "../../src/util/clock.js";
import { systemRandom, type Random } from "../../src/util/random.js";

const shardCount = 3;

/**
 * splitmix32-seeded xoshiro128**: every seed gives an unrelated sequence from the first draw
 * (util's SeededRandom varies little with small seeds early on, which would make seeds alike).
 */
class FuzzRandom implements Random {
  private readonly state = new Uint32Array(4);
  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.state[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }
  private next(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }
  int(bound: number): number {
    return Math.floor((this.next() / 2 ** 32) * bound);
  }
  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

function rotl(value: number, shift: number): number {
  return ((value << shift) | (value >>> (32 - shift))) >>> 0;
}

interface ModelRecord {
  partitionKey: string;
  explicitHashKey?: string;
  data: Buffer;
  arrivalMs: number;
}

/** What the log must hold: every record ever appended at its offset, and where retention starts. */
interface ModelShard {
  records: ModelRecord[];
  start: number;
}

function pick<T>(random: FuzzRandom, items: readonly T[]): T {
  return items[random.int(items.length)]!;
}

const ticks = async (count: number) => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
};

class FuzzRun {
  private fs = new SimFs();
  private engine!: StorageEngine;
  private readonly clock = new ManualClock(t0);
  private readonly model: ModelShard[] = Array.from({ length: shardCount }, () => ({ records: [], start: 0 }));
  private readonly options: Partial<EmbeddedEngineOptions>;
  private readonly policy: FsyncPolicy;
  private counter = 0;
  step = 0;
  readonly trace = {
    lines: [] as string[],
    push: (line: string) => {
      this.trace.lines.push(`${this.step}: ${line}`);
      if (process.env.TRIBUTARY_FUZZ_TRACE) process.stderr.write(`step ${this.step}: ${line}\n`);
    },
  };

  constructor(private readonly random: FuzzRandom) {
    this.policy = pick(random, ["always", "always", "never"] as const);
    this.options = {
      fsync: this.policy,
      clock: this.clock,
      segmentBytesMax: pick(random, [300, 1024, 4096, 64 * 1024]),
      segmentAgeMsMax: pick(random, [2_000, 1e9]),
      indexIntervalBytes: pick(random, [32, 256, 2048]),
      checkpointIntervalBytes: pick(random, [200, 2000, 1 << 20]),
      readChunkBytes: pick(random, [64, 512, 8192]),
      openFilesMax: pick(random, [1, 4, 64]),
      sealedIndexesMax: pick(random, [1, 16]),
    };
  }

  describe(): string {
    return JSON.stringify({ policy: this.policy, ...this.options, clock: undefined });
  }

  async run(steps: number): Promise<void> {
    this.engine = await openSim(this.fs, this.options);
    await registerStreams(this.engine);
    for (this.step = 0; this.step < steps; this.step++) {
      this.clock.advance(this.random.int(300));
      const roll = this.random.int(100);
      if (roll < 35) await this.appendOne();
      else if (roll < 45) await this.appendConcurrently();
      else if (roll < 65) await this.readAndCompare();
      else if (roll < 73) await this.lookupTime();
      else if (roll < 78) await this.trim();
      else if (roll < 83) await this.reopen();
      else if (roll < 91) await this.crashMidWrite();
      else if (roll < 97) await this.fault();
      else await this.diskFull();
    }
    for (let shard = 0; shard < shardCount; shard++) await this.compareAll(shard);
    await this.engine.close();
  }

  private newRecords(): AppendRecord[] {
    return Array.from({ length: 1 + this.random.int(this.random.int(4) === 0 ? 40 : 6) }, () => {
      const tag = `#${this.counter++}`;
      const partitionKey = this.random.int(5) === 0 ? `ключ-${tag}-🎉` : `pk${tag}`;
      const dataBytes = this.random.int(10) === 0 ? this.random.int(3000) : this.random.int(120);
      const data = Buffer.concat([Buffer.from(tag), this.random.bytes(dataBytes)]);
      const record: AppendRecord = { partitionKey, data };
      if (this.random.int(4) === 0) record.explicitHashKey = String(this.random.int(1_000_000));
      return record;
    });
  }

  private arrival(): number {
    // Sometimes earlier than the last append: the log must clamp it.
    return this.clock.nowMs() - (this.random.int(8) === 0 ? 5_000 : 0);
  }

  private accept(shard: number, records: readonly AppendRecord[], outcome: AppendOutcome, askedArrivalMs: number): void {
    const model = this.model[shard]!;
    assert.ok(outcome.ok, `append failed unexpectedly: ${!outcome.ok && outcome.failure.message}`);
    assert.equal(outcome.firstOffset, model.records.length, "appended at the wrong offset");
    const last = model.records.at(-1)?.arrivalMs ?? 0;
    assert.equal(outcome.arrivalMs, Math.max(askedArrivalMs, last), "arrival time not clamped to the previous");
    for (const record of records) model.records.push({ ...record, data: Buffer.from(record.data), arrivalMs: outcome.arrivalMs });
  }

  private async appendOne(): Promise<void> {
    const shard = this.random.int(shardCount);
    const records = this.newRecords();
    const arrivalMs = this.arrival();
    this.trace.push(`append shard ${shard} × ${records.length}`);
    this.accept(shard, records, await this.engine.logs.shard(streamId, shard).append(records, arrivalMs), arrivalMs);
  }

  private async appendConcurrently(): Promise<void> {
    const calls = Array.from({ length: 2 + this.random.int(8) }, () => ({ shard: this.random.int(shardCount), records: this.newRecords(), arrivalMs: this.arrival() }));
    this.trace.push(`append concurrently × ${calls.length}`);
    const outcomes = await Promise.all(calls.map((call) => this.engine.logs.shard(streamId, call.shard).append(call.records, call.arrivalMs)));
    calls.forEach((call, i) => this.accept(call.shard, call.records, outcomes[i]!, call.arrivalMs));
  }

  private async readAndCompare(): Promise<void> {
    const shard = this.random.int(shardCount);
    const model = this.model[shard]!;
    const log = this.engine.logs.shard(streamId, shard);
    const from = Math.max(0, model.start - 3 + this.random.int(model.records.length - model.start + 6));
    const limits = { recordsMax: 1 + this.random.int(this.random.int(3) === 0 ? 500 : 8), bytesMax: this.random.int(3) === 0 ? 1 + this.random.int(500) : 1 << 20 };
    this.trace.push(`read shard ${shard} from ${from} ${JSON.stringify(limits)}`);
    assert.equal(log.startOffset(), model.start, "start offset");
    assert.equal(log.endOffset(), model.records.length, "end offset");
    const result = await log.read(from, limits);
    let offset = Math.max(from, model.start);
    const expected: StoredRecord[] = [];
    let bytes = 0;
    while (offset < model.records.length && expected.length < limits.recordsMax) {
      const record = model.records[offset]!;
      if (expected.length > 0 && bytes + record.data.length > limits.bytesMax) break;
      bytes += record.data.length;
      expected.push(stored(record, offset));
      offset++;
    }
    assert.deepEqual(result.records.map(comparable), expected.map(comparable));
    assert.equal(result.nextOffset, offset, "next offset");
    const nextArrival = offset < model.records.length && expected.length > 0 ? model.records[offset]!.arrivalMs : undefined;
    if (expected.length > 0) assert.equal(result.nextArrivalMs, nextArrival, "next arrival");
  }

  private async lookupTime(): Promise<void> {
    const shard = this.random.int(shardCount);
    const model = this.model[shard]!;
    const first = model.records[model.start]?.arrivalMs ?? this.clock.nowMs();
    const time = first - 50 + this.random.int(Math.max(1, this.clock.nowMs() - first + 100));
    this.trace.push(`offsetAtTime shard ${shard} at ${time - t0}`);
    let expected = model.start;
    while (expected < model.records.length && model.records[expected]!.arrivalMs < time) expected++;
    assert.equal(await this.engine.logs.shard(streamId, shard).offsetAtTime(time), expected);
  }

  private async trim(): Promise<void> {
    const shard = this.random.int(shardCount);
    const model = this.model[shard]!;
    const cutoff = this.clock.nowMs() - this.random.int(20_000);
    this.trace.push(`trim shard ${shard} before ${cutoff - t0}`);
    const log = this.engine.logs.shard(streamId, shard);
    await log.trimBefore(cutoff);
    let firstKept = model.start;
    while (firstKept < model.records.length && model.records[firstKept]!.arrivalMs < cutoff) firstKept++;
    const start = log.startOffset();
    assert.ok(start >= model.start && start <= firstKept, `trim to ${start} outside [${model.start}, ${firstKept}]`);
    model.start = start;
  }

  private async reopen(): Promise<void> {
    this.trace.push("reopen");
    await this.engine.close();
    this.engine = await openSim(this.fs, this.options);
    for (let shard = 0; shard < shardCount; shard++) {
      const log = this.engine.logs.shard(streamId, shard);
      assert.equal(log.startOffset(), this.model[shard]!.start, "start after reopen");
      assert.equal(log.endOffset(), this.model[shard]!.records.length, "end after reopen");
    }
  }

  /** Starts appends, crashes the disk part-way through them, and recovers from the crash image. */
  private async crashMidWrite(): Promise<void> {
    const mode: CrashMode = pick(this.random, ["durable-only", "random", "random", "process"] as const);
    const calls = Array.from({ length: 1 + this.random.int(4) }, () => ({ shard: this.random.int(shardCount), records: this.newRecords(), arrivalMs: this.arrival() }));
    const outcomes: (AppendOutcome | undefined)[] = calls.map(() => undefined);
    // Crash as the n-th fs call starts: every point between two calls is reachable, including
    // the one between a write and the fdatasync that covers it.
    const crashAtCall = 1 + this.random.int(16);
    let calls_ = 0;
    let crashed = false;
    const disk = this.fs;
    disk.delay = () => {
      if (++calls_ === crashAtCall) {
        crashed = true;
        disk.crash();
      }
      return undefined;
    };
    calls.forEach((call, i) => void this.engine.logs.shard(streamId, call.shard).append(call.records, call.arrivalMs).then((outcome) => (outcomes[i] = outcome)));
    for (let tick = 0; tick < 500 && !crashed && outcomes.some((outcome) => outcome === undefined); tick++) await ticks(1);
    this.trace.push(`crash (${mode}) at fs call ${crashAtCall} with ${calls.length} appends in flight, ${outcomes.filter(Boolean).length} acknowledged`);
    disk.crash();
    this.fs = disk.crashImage(mode, this.random);
    this.engine = await openSim(this.fs, this.options);
    const lossAllowed = this.policy !== "always" && mode !== "process";
    for (let shard = 0; shard < shardCount; shard++) {
      const model = this.model[shard]!;
      const mine = calls.map((call, i) => ({ ...call, outcome: outcomes[i] })).filter((call) => call.shard === shard);
      for (const call of mine) if (call.outcome?.ok) this.accept(shard, call.records, call.outcome, call.arrivalMs);
      const unacknowledged = mine.filter((call) => !call.outcome?.ok).flatMap((call) => call.records.map((record) => ({ ...record, arrivalMs: -1 })));
      const log = this.engine.logs.shard(streamId, shard);
      const recovered = await readAllFrom(this.engine, shard, log.startOffset());
      const end = log.endOffset();
      if (lossAllowed) {
        assert.ok(log.startOffset() <= model.records.length || log.startOffset() === end);
      } else {
        assert.ok(end >= model.records.length, `shard ${shard} lost acknowledged records: end ${end} < ${model.records.length}`);
      }
      assert.ok(log.startOffset() <= Math.max(model.start, Math.min(end, model.records.length)), `shard ${shard} start moved forward to ${log.startOffset()}`);
      for (const item of recovered) {
        const known = item.offset < model.records.length ? model.records[item.offset] : unacknowledged[item.offset - model.records.length];
        assert.ok(known, `shard ${shard} recovered offset ${item.offset} that was never written`);
        assert.deepEqual(comparable({ ...item, arrivalMs: known.arrivalMs < 0 ? item.arrivalMs : item.arrivalMs }), comparable(stored({ ...known, arrivalMs: known.arrivalMs < 0 ? item.arrivalMs : known.arrivalMs }, item.offset)));
      }
      // The recovered log becomes the model: extra unacknowledged records may survive, and under
      // fsync=never a power loss may lose a suffix.
      model.records = [...model.records.slice(0, Math.min(end, model.records.length)), ...recovered.filter((item) => item.offset >= model.records.length).map(({ offset: _offset, ...rest }) => rest)];
      assert.equal(model.records.length, end);
      model.start = log.startOffset();
    }
  }

  /** One injected failure during the next append: the append may fail, and nothing else may change. */
  private async fault(): Promise<void> {
    const kind: SimOpKind = pick(this.random, ["writev", "writev", "datasync", "truncate", "open", "syncDir", "rename"] as const);
    let armed = 1 + this.random.int(3);
    const partial = this.random.int(2) === 0 ? this.random.int(200) : undefined;
    this.fs.inject = (op) => {
      if (op.kind !== kind || --armed !== 0) return undefined;
      const error = errnoError(pick(this.random, ["EIO", "ENOSPC"]), `injected ${kind}`);
      return partial !== undefined ? Object.assign(error, { partialBytes: partial }) : error;
    };
    const shard = this.random.int(shardCount);
    const records = this.newRecords();
    const arrivalMs = this.arrival();
    const outcome = await this.engine.logs.shard(streamId, shard).append(records, arrivalMs);
    this.fs.inject = undefined;
    this.trace.push(`fault ${kind} during append shard ${shard}: ${outcome.ok ? "ok" : outcome.failure.kind}`);
    if (outcome.ok) this.accept(shard, records, outcome, arrivalMs);
    else assert.equal(this.engine.logs.shard(streamId, shard).endOffset(), this.model[shard]!.records.length);
  }

  private async diskFull(): Promise<void> {
    this.fs.capacityBytes = this.fs.usedBytes() + this.random.int(3000);
    const calls = Array.from({ length: 1 + this.random.int(5) }, () => ({ shard: this.random.int(shardCount), records: this.newRecords(), arrivalMs: this.arrival() }));
    const outcomes = await Promise.all(calls.map((call) => this.engine.logs.shard(streamId, call.shard).append(call.records, call.arrivalMs)));
    this.fs.capacityBytes = Infinity;
    this.trace.push(`disk full: ${outcomes.map((outcome) => (outcome.ok ? "ok" : outcome.failure.kind)).join(",")}`);
    for (const [i, call] of calls.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.ok) this.accept(call.shard, call.records, outcome, call.arrivalMs);
      else assert.ok(outcome.failure.kind === "no-space" || outcome.failure.kind === "io");
    }
  }

  private async compareAll(shard: number): Promise<void> {
    const model = this.model[shard]!;
    const log = this.engine.logs.shard(streamId, shard);
    assert.equal(log.startOffset(), model.start);
    const all = await readAllFrom(this.engine, shard, model.start);
    assert.deepEqual(all.map(comparable), model.records.slice(model.start).map((record, i) => comparable(stored(record, model.start + i))));
  }
}

async function readAllFrom(engine: StorageEngine, shard: number, from: number): Promise<StoredRecord[]> {
  const log = engine.logs.shard(streamId, shard);
  const out: StoredRecord[] = [];
  let offset = from;
  while (offset < log.endOffset()) {
    const result = await log.read(offset, { recordsMax: 10_000, bytesMax: 1 << 30 });
    out.push(...result.records);
    offset = result.nextOffset;
  }
  return out;
}

function stored(record: ModelRecord, offset: number): StoredRecord {
  const out: StoredRecord = { offset, arrivalMs: record.arrivalMs, partitionKey: record.partitionKey, data: record.data };
  if (record.explicitHashKey !== undefined) out.explicitHashKey = record.explicitHashKey;
  return out;
}

function comparable(record: StoredRecord) {
  return { offset: record.offset, arrivalMs: record.arrivalMs, partitionKey: record.partitionKey, explicitHashKey: record.explicitHashKey, data: record.data.toString("hex") };
}

const replaySeed = process.env.TRIBUTARY_FUZZ_SEED;
const steps = Number(process.env.TRIBUTARY_FUZZ_STEPS ?? 250);
const seeds = replaySeed !== undefined
  ? [Number(replaySeed)]
  : [1, 2, 3, 4, 5, 6, ...Array.from({ length: Number(process.env.TRIBUTARY_FUZZ_SEEDS ?? 2) }, () => systemRandom.bytes(4).readUInt32LE(0))];

describe("storage > log > fuzz", () => {
  for (const seed of seeds) {
    it(`seed ${seed}: random operations match the model`, async () => {
      const run = new FuzzRun(new FuzzRandom(seed));
      try {
        await run.run(steps);
      } catch (error) {
        const recent = run.trace.lines.slice(-12).map((line) => `    ${line}`).join("\n");
        process.stderr.write(
          `fuzz seed ${seed} failed at step ${run.step} (${run.describe()}); replay with TRIBUTARY_FUZZ_SEED=${seed}\n  last operations:\n${recent}\n`,
        );
        throw error;
      }
    });
  }
});
