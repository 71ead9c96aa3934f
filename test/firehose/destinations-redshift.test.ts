/**
 * firehose > destinations > redshift: batches land in a real PostgreSQL (a throwaway cluster,
 * test/helpers/postgres.ts) through the intermediate object and COPY FROM STDIN, with the COPY
 * options Firehose passes mapped onto PostgreSQL; failed loads are retried until the retry duration
 * and then the manifest goes to errors/manifests/.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createMemoryEngine } from "../../src/storage/index.js";
import { localObjectClient, type ObjectClient } from "../../src/storage/object-client/index.js";
import { ManualClock, systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import type { DeliveryBatch } from "../../src/firehose/delivery/contracts.js";
import { createRedshiftDestination, validateRedshiftConfiguration, type RedshiftDestinationConfiguration } from "../../src/firehose/destinations/redshift/index.js";
import { parseCopyOptions } from "../../src/firehose/destinations/redshift/copy-options.js";
import { startPostgres, type PostgresCluster } from "../helpers/postgres.js";

const accountId = "123456789012";
const arrivalMs = Date.UTC(2024, 4, 17, 13, 5, 9);

function batchOf(lines: readonly (string | Buffer)[], batchId = "batch-1"): DeliveryBatch {
  return {
    batchId,
    deliveryStreamName: "orders",
    deliveryStreamVersion: 1,
    firstArrivalMs: arrivalMs,
    records: lines.map((line, index) => ({ recordId: `r${index}`, data: Buffer.isBuffer(line) ? line : Buffer.from(line), approximateArrivalTimestampMs: arrivalMs })),
  };
}

async function readAll(client: ObjectClient, bucket: string, key: string): Promise<Buffer> {
  const got = await client.getObject({ Bucket: bucket, Key: key });
  assert.ok(got.ok, `object ${key}`);
  const chunks: Buffer[] = [];
  for await (const chunk of got.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function keysOf(client: ObjectClient, bucket: string, prefix = ""): Promise<string[]> {
  const listed = await client.listObjects({ Bucket: bucket, Prefix: prefix });
  return listed.ok ? listed.objects.map((object) => object.Key) : [];
}

describe("firehose > destinations > redshift", () => {
  let postgres: PostgresCluster;
  let objects: ObjectClient;
  let clock = systemClock;

  before(async () => {
    postgres = await startPostgres();
    postgres.psql("CREATE DATABASE dev;");
    objects = localObjectClient({ store: createMemoryEngine(new SeededRandom(17)).objects, clock: systemClock, region: "us-east-1" });
  });
  after(async () => {
    await postgres?.stop();
  });

  const deps = () => ({ objectClient: objects, clock, random: new SeededRandom(3), logger: silentLogger, accountId, region: "us-east-1", deliveryStreamName: "orders" });
  const config = (table: string, copyOptions: string, extra: Partial<RedshiftDestinationConfiguration> = {}): RedshiftDestinationConfiguration => ({
    RoleARN: `arn:aws:iam::${accountId}:role/firehose`,
    ClusterJDBCURL: `jdbc:redshift://warehouse.abc123.us-east-1.redshift.localhost:${postgres.port}/dev`,
    CopyCommand: { DataTableName: table, CopyOptions: copyOptions },
    Username: "postgres",
    Password: "unused-with-trust",
    S3Configuration: { RoleARN: `arn:aws:iam::${accountId}:role/firehose`, BucketARN: "arn:aws:s3:::intermediate", Prefix: "loads/" },
    ...extra,
  });
  const query = (sql: string) => postgres.psql(sql, "dev").trim();

  it("JSON 'auto' rows land in the table, through the intermediate object and its manifest", async () => {
    query("CREATE TABLE orders (id integer, customer varchar(20), total numeric(10,2), note text);");
    const destination = createRedshiftDestination(config("orders", "json 'auto'"), deps());
    const outcome = await destination.deliver(batchOf(['{"id":1,"customer":"ada","total":12.5}\n', '{"id":2,"customer":"bob","total":3,"note":"tab\\there"}{"id":3,"customer":null}']));
    assert.deepEqual(outcome, { ok: true });
    assert.equal(query("SELECT id, customer, total, note FROM orders ORDER BY id;"), "1|ada|12.50|\n2|bob|3.00|tab\there\n3|||");
    const keys = await keysOf(objects, "intermediate");
    const data = keys.find((key) => /^loads\/2024\/05\/17\/13\/orders-1-2024-05-17-13-05-09-[0-9a-f-]{36}$/.test(key));
    assert.ok(data, `intermediate object in ${keys.join(", ")}`);
    const manifest = keys.find((key) => key.startsWith("loads/manifests/2024/05/17/13/orders-1-"));
    assert.ok(manifest);
    assert.deepEqual(JSON.parse((await readAll(objects, "intermediate", manifest)).toString()), { entries: [{ url: `s3://intermediate/${data}`, mandatory: true }] });
  });

  it("CSV with DELIMITER, IGNOREHEADER, NULL AS, EMPTYASNULL, GZIP and TIMEFORMAT 'epochsecs'", async () => {
    query("CREATE TABLE events (name varchar(10), at timestamp, amount integer, tag varchar(5));");
    const options = "CSV DELIMITER ';' IGNOREHEADER 1 NULL AS 'none' EMPTYASNULL GZIP TIMEFORMAT 'epochsecs' TRUNCATECOLUMNS";
    const destination = createRedshiftDestination(
      config("events", options, { CopyCommand: { DataTableName: "events", DataTableColumns: "name,at,amount,tag", CopyOptions: options }, S3Configuration: { BucketARN: "arn:aws:s3:::intermediate", CompressionFormat: "GZIP" } }),
      deps(),
    );
    const outcome = await destination.deliver(batchOf(["name;at;amount;tag\n", '"a;b";1715951109;7;toolongtag\n', 'c;1715951110;none;""\n', "d;;;\n"]));
    assert.deepEqual(outcome, { ok: true });
    assert.equal(query("SELECT name, at, coalesce(amount::text, 'NULL'), coalesce(tag, 'NULL') FROM events ORDER BY name;"), "a;b|2024-05-17 13:05:09|7|toolo\nc|2024-05-17 13:05:10|NULL|NULL\nd||NULL|NULL");
    const gz = (await keysOf(objects, "intermediate")).find((key) => key.endsWith(".gz"));
    assert.ok(gz, "the intermediate object is GZIP");
  });

  it("JSON with a jsonpaths file read from the object store", async () => {
    query("CREATE TABLE paths (a text, b integer, c text);");
    await objects.ensureBucket({ Bucket: "config", accountId });
    await objects.putObject({ Bucket: "config", Key: "paths.json", Body: Buffer.from(JSON.stringify({ jsonpaths: ["$.x.y", "$['n']", "$.list[1]"] })) });
    const destination = createRedshiftDestination(config("paths", "FORMAT AS JSON 's3://config/paths.json'"), deps());
    assert.deepEqual(await destination.deliver(batchOf(['{"x":{"y":"deep"},"n":4,"list":["p","q"]}\n', '{"n":5,"list":[{"k":1},{"k":2}]}\n'])), { ok: true });
    assert.equal(query("SELECT coalesce(a,'NULL'), b, c FROM paths ORDER BY b;"), 'deep|4|q\nNULL|5|{"k":2}');
  });

  it("a batch loads whole or not at all (one transaction)", async () => {
    query("CREATE TABLE strict (id integer NOT NULL);");
    const destination = createRedshiftDestination(config("strict", "DELIMITER ','", { RetryOptions: { DurationInSeconds: 0 } }), deps());
    assert.deepEqual(await destination.deliver(batchOf(["1\n", "2\n", "x\n"])), { ok: true });
    assert.equal(query("SELECT count(*) FROM strict;"), "0");
    const errors = await keysOf(objects, "intermediate", "errors/manifests/2024/05/17/13/orders-1-2024-05-17-13-05-09-");
    assert.equal(errors.length, 1);
  });

  it("failed loads are retried until DurationInSeconds, then the manifest goes to errors/manifests/", async () => {
    const manual = new ManualClock(arrivalMs);
    clock = manual;
    try {
      const destination = createRedshiftDestination(config("missing_table", "json 'auto'", { RetryOptions: { DurationInSeconds: 10 }, S3Configuration: { BucketARN: "arn:aws:s3:::retries" } }), deps());
      let settled = false;
      const delivering = destination.deliver(batchOf(['{"id":1}'])).finally(() => (settled = true));
      let movedMs = 0;
      while (!settled && movedMs < 60_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        manual.advance(1000);
        movedMs += 1000;
      }
      assert.deepEqual(await delivering, { ok: true });
      assert.ok(movedMs >= 10_000 && movedMs <= 20_000, `gave up after ${movedMs} ms of retries`);
      const errors = await keysOf(objects, "retries", "errors/manifests/");
      assert.equal(errors.length, 1);
      const manifest = JSON.parse((await readAll(objects, "retries", errors[0]!)).toString()) as { entries: { url: string }[] };
      assert.match(manifest.entries[0]!.url, /^s3:\/\/retries\/2024\/05\/17\/13\/orders-1-/);
    } finally {
      clock = systemClock;
    }
  });

  it("a table that appears during the retries is loaded", async () => {
    const destination = createRedshiftDestination(config("late", "json 'auto'", { RetryOptions: { DurationInSeconds: 30 } }), deps());
    const delivering = destination.deliver(batchOf(['{"id":9}']));
    await new Promise((resolve) => setTimeout(resolve, 300));
    query("CREATE TABLE late (id integer);");
    assert.deepEqual(await delivering, { ok: true });
    assert.equal(query("SELECT id FROM late;"), "9");
  });

  it("unsupported COPY options: refused at Create and at delivery, without retries", async () => {
    assert.match(validateRedshiftConfiguration(config("orders", "FIXEDWIDTH 'a:3'"))?.message ?? "", /The COPY option FIXEDWIDTH is not supported/);
    assert.match(validateRedshiftConfiguration(config("orders", "FORMAT AS PARQUET"))?.message ?? "", /PARQUET/);
    assert.match(validateRedshiftConfiguration(config("orders", "TIMEFORMAT 'MM.DD.YYYY HH:MI:SS'"))?.message ?? "", /TIMEFORMAT/);
    assert.equal(validateRedshiftConfiguration(config("orders", "json 'auto' gzip timeformat 'auto' compupdate off statupdate off")), undefined);
    assert.match(validateRedshiftConfiguration(config("orders", "", { S3Configuration: { BucketARN: "arn:aws:s3:::b", CompressionFormat: "Snappy" } }))?.message ?? "", /Snappy/);
    const destination = createRedshiftDestination(config("orders", "BZIP2", { RetryOptions: { DurationInSeconds: 3600 }, S3Configuration: { BucketARN: "arn:aws:s3:::unsupported" } }), deps());
    assert.deepEqual(await destination.deliver(batchOf(["1"])), { ok: true });
    assert.equal((await keysOf(objects, "unsupported", "errors/manifests/")).length, 1);
    const attempt = await destination.attempt(batchOf(["1"]));
    assert.equal(attempt.ok, false);
    assert.match(attempt.ok ? "" : attempt.errorMessage, /BZIP2 is not supported/);
  });

  it("parses Firehose's option spellings", () => {
    const parsed = parseCopyOptions("FORMAT AS CSV QUOTE AS '''' DELIMITER AS '\\t' ACCEPTINVCHARS AS '^' BLANKSASNULL ENCODING UTF8 MAXERROR 0 REGION 'us-east-1'");
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.message);
    assert.deepEqual(parsed.plan.format, { kind: "csv", delimiter: "t", quote: "'" });
    assert.equal(parsed.plan.acceptInvalidCharsAs, "^");
    assert.equal(parseCopyOptions("MAXERROR 10").ok, false);
  });

  it("ACCEPTINVCHARS replaces invalid UTF-8; without it the load fails", async () => {
    query("CREATE TABLE texts (t text);");
    const invalid = Buffer.concat([Buffer.from("ab"), Buffer.from([0xff]), Buffer.from("c\n")]);
    const accepting = createRedshiftDestination(config("texts", "ACCEPTINVCHARS AS '?'"), deps());
    assert.deepEqual(await accepting.deliver(batchOf([invalid])), { ok: true });
    assert.equal(query("SELECT t FROM texts;"), "ab?c");
    const strict = createRedshiftDestination(config("texts", ""), deps());
    const attempt = await strict.attempt(batchOf([invalid]));
    assert.equal(attempt.ok, false);
    assert.match(attempt.ok ? "" : attempt.errorMessage, /invalid or unsupported UTF8/);
  });

});
