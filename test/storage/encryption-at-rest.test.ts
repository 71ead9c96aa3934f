/**
 * Encryption at rest, end to end on the real filesystem: what an encrypted stream leaves on disk
 * (nothing of its records), what survives a restart, what a changed byte or a wrong master key
 * does — and, below the server, how sealed records travel through both engines and the frame
 * format (docs/encryption.md).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { startApp, requestBytesMaxDefault, type RunningApp } from "../../src/server/app.js";
import { createEmbeddedEngine, createMemoryEngine } from "../../src/storage/index.js";
import type { AppendRecord, StorageEngine, StoredRecord } from "../../src/storage/types.js";
import {
  dataDirMasterKey, fixedMasterKey, generatedKeyFileName, masterKeyFromBytes, parseMasterKey, RecordOpener, RequestSealer,
  type MasterKeySource,
} from "../../src/streams/encryption/crypto/index.js";
import { batchBytes, decodeFrame, encodeBatch, FrameView } from "../../src/storage/embedded/log/frame.js";
import { crc32c } from "../../src/storage/embedded/crc32c.js";
import { segmentHeaderBytes } from "../../src/storage/embedded/log/segment-file.js";
import { defaultStreamsConfig } from "../../src/streams/index.js";
import { ManualClock, systemClock } from "../../src/util/clock.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { silentLogger, type Logger } from "../../src/util/logger.js";
import { startTestServer, testApp, type TestServer } from "../helpers/server.js";
import { jsonCall } from "../helpers/raw.js";
import { ok } from "../helpers/wire-assert.js";
import { streamMeta } from "./cases.js";
import { putStream, streamsCatalog } from "../../src/streams/stream-catalog.js";

const streamId = "0123456789abcdef0123456789abcdef";

/** A logger whose warnings and errors the test can read. */
function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { logger: pino({ level: "warn" }, sink), lines };
}

interface ServerOnDisk {
  app: RunningApp;
  server: TestServer;
  storage: StorageEngine;
}

/** A server on the embedded engine in `dataDir`, with the given master key source. */
async function startOnDisk(dataDir: string, masterKey: MasterKeySource | undefined, logger: Logger = silentLogger): Promise<ServerOnDisk> {
  const storage = await createEmbeddedEngine({ dataDir, fsync: "always", clock: systemClock, random: systemRandom, logger, accountId: defaultStreamsConfig.accountId });
  const streams = { ...defaultStreamsConfig, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 };
  const app = await startApp({
    clock: systemClock,
    random: systemRandom,
    logger,
    storage,
    ...(masterKey && { masterKey }),
    config: { host: "127.0.0.1", port: 0, requestBytesMax: requestBytesMaxDefault, streams },
  });
  return { app, storage, server: { url: app.url, region: streams.region, accountId: streams.accountId, app: testApp(app), stop: () => app.stop() } };
}

/** Every file under `dir`, with its bytes. */
async function filesUnder(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push({ path, bytes: await readFile(path) });
  }
  return out;
}

function filesHolding(files: readonly { path: string; bytes: Buffer }[], text: string): string[] {
  const needle = Buffer.from(text, "utf8");
  return files.filter((file) => file.bytes.includes(needle)).map((file) => file.path);
}

/** All records of a stream's shards, in shard then offset order, as [partition key, data, EncryptionType]. */
async function readStream(server: TestServer, streamName: string, shardCount: number, onlyShard?: number): Promise<[string, string, string | undefined][]> {
  const out: [string, string, string | undefined][] = [];
  for (let shard = 0; shard < shardCount; shard++) {
    if (onlyShard !== undefined && shard !== onlyShard) continue;
    const iterator = await ok(server, "GetShardIterator", { StreamName: streamName, ShardId: `shardId-00000000000${shard}`, ShardIteratorType: "TRIM_HORIZON" });
    const read = await ok(server, "GetRecords", { ShardIterator: iterator.ShardIterator });
    for (const record of read.Records) out.push([record.PartitionKey, Buffer.from(record.Data, "base64").toString("utf8"), record.EncryptionType]);
  }
  return out;
}

const put = (server: TestServer, streamName: string, partitionKey: string, data: string, explicitHashKey?: string) =>
  ok(server, "PutRecord", { StreamName: streamName, PartitionKey: partitionKey, Data: Buffer.from(data).toString("base64"), ...(explicitHashKey && { ExplicitHashKey: explicitHashKey }) });

/** The sealed frames of a stream's segment files: file and position of each. */
async function sealedFrames(dataDir: string, id: string): Promise<{ path: string; position: number; frameBytes: number }[]> {
  const out: { path: string; position: number; frameBytes: number }[] = [];
  for (const file of await filesUnder(join(dataDir, "logs", id))) {
    if (!file.path.endsWith(".log")) continue;
    let at = segmentHeaderBytes;
    while (at + 32 <= file.bytes.length) {
      const frameBytes = file.bytes.readUInt32LE(at);
      if ((file.bytes[at + 26]! & 2) !== 0) out.push({ path: file.path, position: at, frameBytes });
      at += frameBytes;
    }
  }
  return out;
}

function catalogVersion(dataDir: string): Promise<number> {
  return readFile(join(dataDir, "catalog", "catalog")).then((bytes) => bytes.readUInt16LE(4));
}

describe("storage > encryption at rest", () => {
  let dataDir: string;
  const masterKeyText = randomBytes(32).toString("base64");
  const masterKey = fixedMasterKey(parseMasterKeyOrThrow(masterKeyText), "the test's key");
  const tag = randomBytes(6).toString("hex");
  // Distinct markers per period, so a scan of the disk tells which were stored in the clear.
  const marker = (what: string) => `${what}-${tag}`;
  const secretHashKey = "98765432109876543210987654321098765";

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "tributary-encryption-"));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it("leaves nothing of an encrypted stream's records on disk, while an unencrypted control stream's are there", async () => {
    const { server, app } = await startOnDisk(dataDir, masterKey);
    try {
      await ok(server, "CreateStream", { StreamName: "secret", ShardCount: 2 });
      await ok(server, "CreateStream", { StreamName: "control", ShardCount: 1 });
      assert.equal(await catalogVersion(dataDir), 3);
      await put(server, "secret", marker("pk-before"), marker("data-before"));
      await ok(server, "StartStreamEncryption", { StreamName: "secret", EncryptionType: "KMS", KeyId: "alias/aws/kinesis" });
      // Format 3 (accounts) is newer than the sealed-frames mark (2): servers from before encryption refuse it too.
      assert.equal(await catalogVersion(dataDir), 3, "a catalog whose streams hold data keys is format 3");
      await put(server, "secret", marker("pk-during"), marker("data-during"), secretHashKey);
      const batch = await ok(server, "PutRecords", {
        StreamName: "secret",
        Records: Array.from({ length: 20 }, (_, index) => ({ PartitionKey: marker(`pk-batch-${index}`), Data: Buffer.from(marker(`data-batch-${index}`)).toString("base64") })),
      });
      assert.equal(batch.FailedRecordCount, 0);
      await put(server, "control", marker("pk-control"), marker("data-control"), secretHashKey);
      await ok(server, "StopStreamEncryption", { StreamName: "secret", EncryptionType: "KMS", KeyId: "alias/aws/kinesis" });
      await put(server, "secret", marker("pk-after"), marker("data-after"));
    } finally {
      await app.stop();
    }

    const files = await filesUnder(dataDir);
    assert.ok(files.some((file) => file.path.endsWith(".log")), "the logs are on disk");
    for (const hidden of ["pk-during", "data-during", "pk-batch-0", "data-batch-0", "pk-batch-19", "data-batch-19"]) {
      assert.deepEqual(filesHolding(files, marker(hidden)), [], `${hidden} must not be on disk in the clear`);
    }
    // The explicit hash key of the encrypted record is sealed too: it appears only with the control stream's record.
    assert.equal(filesHolding(files, secretHashKey).length, 1);
    for (const shown of ["pk-before", "data-before", "pk-control", "data-control", "pk-after", "data-after"]) {
      assert.equal(filesHolding(files, marker(shown)).length, 1, `${shown} was written in the clear, so the scan must find it`);
    }
    assert.deepEqual(filesHolding(files, masterKeyText), [], "the master key is never stored");
  });

  it("reads records from before, during and after encryption back intact after a restart", async () => {
    const { server, app } = await startOnDisk(dataDir, masterKey);
    try {
      const records = await readStream(server, "secret", 2);
      const expected: [string, string, string | undefined][] = [
        [marker("pk-before"), marker("data-before"), undefined],
        [marker("pk-during"), marker("data-during"), "KMS"],
        ...Array.from({ length: 20 }, (_, index): [string, string, string] => [marker(`pk-batch-${index}`), marker(`data-batch-${index}`), "KMS"]),
        [marker("pk-after"), marker("data-after"), undefined],
      ];
      const sortKey = (record: [string, string, string | undefined]) => record[0];
      assert.deepEqual([...records].sort((a, b) => sortKey(a).localeCompare(sortKey(b))), [...expected].sort((a, b) => sortKey(a).localeCompare(sortKey(b))));
      // Within each shard the three periods keep their order.
      const rank: Record<string, number> = { before: 0, during: 1, batch: 1, after: 2 };
      for (let shard = 0; shard < 2; shard++) {
        const ranks = (await readStream(server, "secret", 2, shard)).map(([partitionKey]) => rank[partitionKey.split("-")[1]!]!);
        assert.deepEqual(ranks, [...ranks].sort(), `shard ${shard}`);
      }
      assert.equal((await readStream(server, "control", 1))[0]![2], undefined);
    } finally {
      await app.stop();
    }
  });

  it("refuses to start with a wrong master key, or with none, naming the key the data needs", async () => {
    const wrong = masterKeyFromBytes(randomBytes(32));
    const right = parseMasterKeyOrThrow(masterKeyText);
    await assert.rejects(startOnDisk(dataDir, fixedMasterKey(wrong, "the wrong key")), (error: Error) => {
      assert.equal(error.name, "DataKeyError");
      assert.match(error.message, new RegExp(`stream secret holds records encrypted under master key ${right.id}, but the master key from the wrong key is ${wrong.id}`));
      assert.match(error.message, /start the server with the master key its data was written with/);
      return true;
    });
    await assert.rejects(startOnDisk(dataDir, undefined), /stream secret holds records encrypted under master key [0-9a-f]{16}, but there is no master key/);
    // The refused starts released the directory: the right key opens it.
    const { server, app } = await startOnDisk(dataDir, masterKey);
    try {
      assert.equal((await readStream(server, "secret", 2)).length, 23);
    } finally {
      await app.stop();
    }
  });

  it("detects a changed byte in an encrypted frame: the read fails, nothing is served", async () => {
    const { storage } = await startOnDisk(dataDir, masterKey).then(async (started) => {
      await started.app.stop();
      return started;
    });
    const frames = await sealedFrames(dataDir, (await streamsCatalog(storage).get(defaultStreamsConfig.accountId, "secret"))!.streamId);
    assert.ok(frames.length >= 21, `found ${frames.length} sealed frames`);
    const target = frames[0]!;
    const bytes = await readFile(target.path);
    const original = Buffer.from(bytes);
    // Flip one ciphertext byte and fix the frame's CRC, as someone altering the disk on purpose would.
    const flipAt = target.position + 36 + 30;
    bytes[flipAt] = bytes[flipAt]! ^ 0x01;
    bytes.writeUInt32LE(crc32c(bytes, target.position + 8, target.position + target.frameBytes), target.position + 4);
    await writeFile(target.path, bytes);

    const { logger, lines } = capturingLogger();
    const { server, app } = await startOnDisk(dataDir, masterKey, logger);
    try {
      const shardIndex = Number(target.path.split("/").at(-2));
      const iterator = await ok(server, "GetShardIterator", { StreamName: "secret", ShardId: `shardId-00000000000${shardIndex}`, ShardIteratorType: "TRIM_HORIZON" });
      const read = await jsonCall(server.url, "GetRecords", { ShardIterator: iterator.ShardIterator });
      assert.equal(read.statusCode, 500);
      assert.equal(read.body.__type, "InternalFailure");
      assert.ok(!read.raw.includes(Buffer.from(marker("data"))), "no record data in the answer");
      assert.ok(lines.some((line) => line.includes("fails authentication")), `logged: ${lines.join("")}`);
    } finally {
      await app.stop();
    }
    await writeFile(target.path, original);
  });

  it("generates a master key in the data directory on first need, mode 0600, with a warning", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tributary-keyfile-"));
    try {
      const keyPath = join(dir, generatedKeyFileName);
      const first = capturingLogger();
      let started = await startOnDisk(dir, dataDirMasterKey(dir, first.logger), first.logger);
      try {
        await ok(started.server, "CreateStream", { StreamName: "s", ShardCount: 1 });
        await put(started.server, "s", "plain", "no key needed yet");
        await assert.rejects(stat(keyPath), { code: "ENOENT" }, "no key before one is needed");
        await ok(started.server, "StartStreamEncryption", { StreamName: "s", EncryptionType: "KMS", KeyId: "alias/aws/kinesis" });
        await put(started.server, "s", "sealed", marker("generated-key-data"));
      } finally {
        await started.app.stop();
      }
      const mode = (await stat(keyPath)).mode & 0o777;
      assert.equal(mode, 0o600);
      assert.ok(parseMasterKey(await readFile(keyPath, "utf8")).ok, "the file holds a key in the documented form");
      const warning = first.lines.find((line) => line.includes("generated a master key"));
      assert.ok(warning?.includes(keyPath) && warning.includes("protects nothing against someone who has the disk"), `warned: ${first.lines.join("")}`);

      const second = capturingLogger();
      started = await startOnDisk(dir, dataDirMasterKey(dir, second.logger), second.logger);
      try {
        assert.deepEqual(await readStream(started.server, "s", 1), [
          ["plain", "no key needed yet", undefined],
          ["sealed", marker("generated-key-data"), "KMS"],
        ]);
        assert.ok(second.lines.some((line) => line.includes("using the master key stored") && line.includes(keyPath)));
      } finally {
        await started.app.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("writes catalog format 3 with and without data keys (servers from before encryption refuse it)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tributary-catalog-version-"));
    try {
      const { server, app } = await startOnDisk(dir, masterKey);
      try {
        await ok(server, "CreateStream", { StreamName: "short-lived", ShardCount: 1 });
        await ok(server, "StartStreamEncryption", { StreamName: "short-lived", EncryptionType: "KMS", KeyId: "alias/aws/kinesis" });
        assert.equal(await catalogVersion(dir), 3);
        await ok(server, "DeleteStream", { StreamName: "short-lived" });
        // The deletion is stored by the sweeper; the snapshot that drops the stream (and its data key) is format 3 too.
        const catalogBytes = () => readFile(join(dir, "catalog", "catalog"));
        for (let attempt = 0; attempt < 100 && (await catalogBytes()).includes("short-lived"); attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal((await catalogBytes()).includes("short-lived"), false);
        assert.equal(await catalogVersion(dir), 3);
      } finally {
        await app.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("storage > encryption at rest > data keys", () => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  before(async () => {
    server = await startTestServer({ clock });
  });
  after(() => server.stop());

  it("keeps a retired key while any record needs it, and drops it once retention has removed them", async () => {
    const keysOf = () => server.app!.streams.context.streams.get("kept")!.encryption!.dataKeys.map((key) => [key.keyRef, key.retired !== undefined]);
    await ok(server, "CreateStream", { StreamName: "kept", ShardCount: 1 });
    await ok(server, "StartStreamEncryption", { StreamName: "kept", EncryptionType: "KMS", KeyId: "alias/one" });
    await put(server, "kept", "k", "under key one");
    await ok(server, "StartStreamEncryption", { StreamName: "kept", EncryptionType: "KMS", KeyId: "alias/two" });
    await ok(server, "StopStreamEncryption", { StreamName: "kept", EncryptionType: "KMS", KeyId: "alias/two" });
    // Both are kept: a retired key is kept while the log holds any offset below its end, and the
    // record key one sealed lies below both ends.
    assert.deepEqual(keysOf(), [[1, true], [2, true]]);
    assert.deepEqual(await readStream(server, "kept", 1), [["k", "under key one", "KMS"]]);
    clock.advance(25 * 3600 * 1000);
    assert.deepEqual(await readStream(server, "kept", 1), [], "the record has expired (and the read trimmed it)");
    await ok(server, "StartStreamEncryption", { StreamName: "kept", EncryptionType: "KMS", KeyId: "alias/three" });
    assert.deepEqual(keysOf(), [[3, false]]);
  });
});

describe("storage > encryption at rest > engines", () => {
  const dataKey = randomBytes(32);
  const plain = (partitionKey: string, data: string, explicitHashKey?: string): AppendRecord => ({
    partitionKey,
    data: Buffer.from(data),
    ...(explicitHashKey !== undefined && { explicitHashKey }),
  });
  const originals = [plain("ключ 🎉", "hello"), plain("p", "", "123456789012345678901234567890123456789"), plain("k".repeat(256), "x".repeat(3000))];

  const view = (records: readonly StoredRecord[]) => records.map((record) => ({ ...record, data: record.data.toString("hex") }));

  for (const engineName of ["memory", "embedded"] as const) {
    it(`${engineName}: stores sealed records as they were appended, beside plain ones, and they open to the originals`, async () => {
      const dir = await mkdtemp(join(tmpdir(), "tributary-sealed-"));
      const open = () =>
        engineName === "memory"
          ? Promise.resolve(createMemoryEngine(new SeededRandom(1)))
          : createEmbeddedEngine({ dataDir: dir, fsync: "always", clock: systemClock, random: new SeededRandom(1), logger: silentLogger, accountId: "111122223333", segmentBytesMax: 4096 });
      let engine = await open();
      try {
        // The embedded engine keeps only the logs of streams its catalog holds.
        await putStream(streamsCatalog(engine), { ...streamMeta("sealed"), streamId });
        const sealed = new RequestSealer(dataKey, streamId, 7).seal(0, originals);
        const log = () => engine.logs.shard(streamId, 0);
        assert.ok((await log().append([plain("first", "in the clear")], 1000)).ok);
        assert.ok((await log().append(sealed, 1001)).ok);
        assert.ok((await log().append([plain("last", "in the clear too")], 1002)).ok);
        const expected = [
          { offset: 0, arrivalMs: 1000, partitionKey: "first", data: Buffer.from("in the clear") },
          ...sealed.map((record, index) => ({ offset: 1 + index, arrivalMs: 1001, partitionKey: "", data: record.data, sealedWith: 7 })),
          { offset: 4, arrivalMs: 1002, partitionKey: "last", data: Buffer.from("in the clear too") },
        ];
        assert.deepEqual(view((await log().read(0, { recordsMax: 100, bytesMax: 1 << 20 })).records), view(expected));
        if (engineName === "embedded") {
          await engine.close();
          engine = await open();
          assert.deepEqual(view((await log().read(0, { recordsMax: 100, bytesMax: 1 << 20 })).records), view(expected));
        }
        const read = (await log().read(1, { recordsMax: 3, bytesMax: 1 << 20 })).records;
        const opener = new RecordOpener(dataKey, { streamId, shardIndex: 0, keyRef: 7 });
        for (const record of read) assert.deepEqual(opener.open(record), { ok: true });
        assert.deepEqual(read.map((record) => [record.partitionKey, record.explicitHashKey, record.data.toString()]),
          originals.map((record) => [record.partitionKey, record.explicitHashKey, record.data.toString()]));
      } finally {
        await engine.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("storage > encryption at rest > sealing", () => {
  const dataKey = randomBytes(32);
  const record: AppendRecord = { partitionKey: "pk", explicitHashKey: "42", data: Buffer.from("the data") };

  it("seals each request under its own key and each record under its own nonce", () => {
    const first = new RequestSealer(dataKey, streamId, 1).seal(0, [record, record]);
    const second = new RequestSealer(dataKey, streamId, 1).seal(0, [record]);
    const salt = (sealed: AppendRecord) => sealed.data.subarray(1, 17).toString("hex");
    const index = (sealed: AppendRecord) => sealed.data.readUInt32LE(17);
    assert.equal(salt(first[0]!), salt(first[1]!));
    assert.deepEqual([index(first[0]!), index(first[1]!)], [0, 1]);
    assert.notEqual(salt(second[0]!), salt(first[0]!));
    assert.notDeepEqual(first[0]!.data.subarray(21), first[1]!.data.subarray(21), "same record, another nonce: other bytes");
  });

  it("opens a record only where it was sealed, and never one with a changed byte", () => {
    const sealed = new RequestSealer(dataKey, streamId, 1).seal(3, [record])[0]!;
    const opens = (binding: { streamId: string; shardIndex: number; keyRef: number }, data: Buffer, key = dataKey) =>
      new RecordOpener(key, binding).open({ offset: 0, arrivalMs: 0, partitionKey: "", data: Buffer.from(data), sealedWith: binding.keyRef }).ok;
    const home = { streamId, shardIndex: 3, keyRef: 1 };
    assert.equal(opens(home, sealed.data), true);
    assert.equal(opens({ ...home, shardIndex: 2 }, sealed.data), false);
    assert.equal(opens({ ...home, keyRef: 2 }, sealed.data), false);
    assert.equal(opens({ ...home, streamId: "fedcba9876543210fedcba9876543210" }, sealed.data), false);
    assert.equal(opens(home, sealed.data, randomBytes(32)), false);
    for (let at = 0; at < sealed.data.length; at++) {
      const changed = Buffer.from(sealed.data);
      changed[at] = changed[at]! ^ 0x80;
      assert.equal(opens(home, changed), false, `byte ${at}`);
    }
  });
});

describe("storage > format > sealed frames", () => {
  const sealed = new RequestSealer(randomBytes(32), streamId, 5).seal(0, [
    { partitionKey: "a", data: Buffer.from("one") },
    { partitionKey: "b", explicitHashKey: "9", data: Buffer.alloc(300, 1) },
  ]);

  it("carry the key reference, no keys in the clear, and decode back", () => {
    const total = batchBytes(sealed);
    assert.equal(total, sealed.reduce((sum, record) => sum + 32 + 4 + record.data.length, 0));
    const batch = encodeBatch(sealed, total, 10, 77, 40, { lastIndexedPosition: -1, intervalBytes: 1 << 20 });
    const view = new FrameView();
    let at = 0;
    sealed.forEach((record, index) => {
      assert.equal(decodeFrame(batch.buffer, at, total, view), "ok");
      assert.deepEqual(view.toRecord(), { offset: 10 + index, arrivalMs: 77, partitionKey: "", data: record.data, sealedWith: 5 });
      assert.equal(batch.buffer[at + 26], 2, "flags: sealed, no explicit hash key");
      assert.equal(batch.buffer.readUInt16LE(at + 24), 0, "no partition key bytes");
      at += view.frameBytes;
    });
  });

  it("are corrupt when any byte changes, or when they claim a key in the clear", () => {
    const one = sealed.slice(0, 1);
    const total = batchBytes(one);
    const frame = encodeBatch(one, total, 0, 0, 40, { lastIndexedPosition: -1, intervalBytes: 1 << 20 }).buffer;
    const view = new FrameView();
    for (let at = 0; at < total; at++) {
      const changed = Buffer.from(frame);
      changed[at] = changed[at]! ^ 0x10;
      assert.notEqual(decodeFrame(changed, 0, total, view), "ok", `byte ${at}`);
    }
    // Checksum fixed, so only the layout rules can object.
    const withCrc = (bytes: Buffer) => (bytes.writeUInt32LE(crc32c(bytes, 8, bytes.length), 4), bytes);
    const claimsPartitionKey = Buffer.from(frame);
    claimsPartitionKey.writeUInt16LE(1, 24);
    claimsPartitionKey.writeUInt32LE(claimsPartitionKey.readUInt32LE(28) - 1, 28);
    assert.equal(decodeFrame(withCrc(claimsPartitionKey), 0, total, view), "corrupt");
    const claimsHashKey = Buffer.from(frame);
    claimsHashKey[26] = 3;
    claimsHashKey[27] = 1;
    claimsHashKey.writeUInt32LE(claimsHashKey.readUInt32LE(28) - 1, 28);
    assert.equal(decodeFrame(withCrc(claimsHashKey), 0, total, view), "corrupt");
  });

  it("never mix with plain records in one batch", () => {
    const mixed = [sealed[0]!, { partitionKey: "plain", data: Buffer.from("x") }];
    assert.throws(() => encodeBatch(mixed, batchBytes(mixed), 0, 0, 40, { lastIndexedPosition: -1, intervalBytes: 1 << 20 }), { name: "AssertionFailure" });
  });
});

function parseMasterKeyOrThrow(text: string) {
  const parsed = parseMasterKey(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.key;
}
