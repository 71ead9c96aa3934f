/**
 * Catalogs from before accounts (format versions 1 and 2: streams without accountId, one
 * "account" settings object) open with everything in the server's configured account, are
 * written back as version 3, and keep that account afterwards whatever the configuration says;
 * a version 3 stream without its account is refused as damage. Old files are built here from the
 * documented layout (docs/formats/catalog.md), not by the code under test.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { createEmbeddedEngine } from "../../src/storage/index.js";
import { decodeCatalog, encodeCatalog } from "../../src/storage/embedded/catalog/catalog-file.js";
import { crc32c } from "../../src/storage/embedded/crc32c.js";
import type { StorageEngine } from "../../src/storage/types.js";
import type { AccountSettings, StreamMeta } from "../../src/streams/model.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { kinesisClient, startTestServer } from "../helpers/server.js";
import { streamMeta } from "./cases.js";
import { streamsCatalog } from "../../src/streams/stream-catalog.js";

const configured = "123456789012";
const settings: AccountSettings = { billingCommitment: { startedAtMs: 1_700_000_000_000, earliestAllowedEndAtMs: 1_700_086_400_000 } };

/** A stream as a version 1 or 2 catalog stored it: no accountId. */
function legacyMeta(name: string): Omit<StreamMeta, "accountId"> {
  const { accountId: _none, ...meta } = streamMeta(name);
  return meta;
}

/** The snapshot file of docs/formats/catalog.md, in `version` (1 or 2), with a payload of before accounts. */
function legacyCatalog(version: number, streams: unknown[], account?: AccountSettings): Buffer {
  const body: Record<string, unknown> = { secret: Buffer.alloc(32, 5).toString("base64"), streams };
  if (account !== undefined) body.account = account;
  const payload = Buffer.from(JSON.stringify(body), "utf8");
  const header = Buffer.alloc(32);
  header.write("TRCT", 0, "latin1");
  header.writeUInt16LE(version, 4);
  header.writeUInt16LE(32, 6);
  header.writeBigUInt64LE(3n, 8);
  header.writeUInt32LE(payload.length, 16);
  header.writeUInt32LE(crc32c(payload), 20);
  header.writeUInt32LE(crc32c(header, 0, 28), 28);
  return Buffer.concat([header, payload]);
}

/** A data directory as an earlier server left it. */
function legacyDataDir(version: number, streams: unknown[], account?: AccountSettings): string {
  const dataDir = mkdtempSync(join(tmpdir(), "tributary-legacy-catalog-"));
  writeFileSync(join(dataDir, "format"), "tributary-data 1\n");
  mkdirSync(join(dataDir, "catalog"));
  writeFileSync(join(dataDir, "catalog", "catalog"), legacyCatalog(version, streams, account));
  return dataDir;
}

const open = (dataDir: string, accountId: string): Promise<StorageEngine> =>
  createEmbeddedEngine({ dataDir, fsync: "always", clock: systemClock, random: new SeededRandom(3), logger: silentLogger, accountId });

const fileVersion = (dataDir: string) => readFileSync(join(dataDir, "catalog", "catalog")).readUInt16LE(4);

describe("storage > catalog > accounts", () => {
  for (const version of [1, 2]) {
    it(`storage > catalog > accounts > a version ${version} catalog opens in the configured account and stays there once rewritten`, async () => {
      const dataDir = legacyDataDir(version, [legacyMeta("alpha"), legacyMeta("beta")], settings);
      try {
        let engine = await open(dataDir, configured);
        assert.deepEqual((await streamsCatalog(engine).list()).map((meta) => [meta.accountId, meta.StreamName]), [[configured, "alpha"], [configured, "beta"]]);
        assert.deepEqual((await streamsCatalog(engine).get(configured, "alpha")), { ...streamMeta("alpha"), accountId: configured });
        assert.deepEqual((await streamsCatalog(engine).accountSettings(configured)), settings);
        assert.equal(fileVersion(dataDir), version, "opening alone does not rewrite the file");
        assert.deepEqual(await engine.catalog.remove(configured, "beta"), { ok: true });
        await engine.close();
        assert.equal(fileVersion(dataDir), 3);

        // Written as version 3, the streams keep their account whatever the server is configured with next.
        engine = await open(dataDir, "999999999999");
        assert.deepEqual((await streamsCatalog(engine).list()).map((meta) => [meta.accountId, meta.StreamName]), [[configured, "alpha"]]);
        assert.equal((await streamsCatalog(engine).get("999999999999", "alpha")), undefined);
        assert.deepEqual((await streamsCatalog(engine).accountSettings(configured)), settings);
        assert.equal((await streamsCatalog(engine).accountSettings("999999999999")), undefined);
        await engine.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }

  it("storage > catalog > accounts > a version 3 stream without its account is refused as damage", () => {
    const secret = Buffer.alloc(32, 1);
    const good = encodeCatalog({ generation: 1, secret, streams: [streamMeta("a")], accounts: {} });
    assert.equal(good.readUInt16LE(4), 3);
    assert.ok(decodeCatalog(good, configured).ok);
    const unowned = encodeCatalog({ generation: 1, secret, streams: [legacyMeta("a") as StreamMeta], accounts: {} });
    assert.deepEqual(decodeCatalog(unowned, configured), { ok: false, reason: "catalog stream lacks its accountId" });
  });
});

describe("storage > catalog > accounts > through the server", () => {
  let dataDir: string;
  before(() => {
    dataDir = legacyDataDir(1, [legacyMeta("legacy")]);
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("storage > catalog > accounts > an old data directory's streams are the configured account's, by name and by ARN", async () => {
    const server = await startTestServer({ dataDir, streams: { accountId: configured } });
    const client = kinesisClient(server);
    try {
      const StreamARN = `arn:aws:kinesis:${server.region}:${configured}:stream/legacy`;
      const listed = await client.send(new ListStreamsCommand({}));
      assert.deepEqual(listed.StreamSummaries?.map((summary) => [summary.StreamName, summary.StreamARN]), [["legacy", StreamARN]]);
      const summary = await client.send(new DescribeStreamSummaryCommand({ StreamARN }));
      assert.equal(summary.StreamDescriptionSummary?.StreamARN, StreamARN);
      await client.send(new PutRecordCommand({ StreamName: "legacy", PartitionKey: "k", ExplicitHashKey: "0", Data: Buffer.from("kept") }));
      const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamARN, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }));
      const { Records } = await client.send(new GetRecordsCommand({ ShardIterator }));
      assert.deepEqual(Records?.map((record) => Buffer.from(record.Data!).toString()), ["kept"]);
    } finally {
      client.destroy();
      await server.stop();
    }
  });
});
