/**
 * DirectPut → GZIP objects in the built-in S3 store, through the AWS CLI v2 end to end:
 * `aws firehose create-delivery-stream`, `put-record-batch`, then the delivered object read back
 * with `aws s3 cp` and gunzip. (Dynamic partitions by a JQ query wait for the processors module.)
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestServer } from "../helpers/server.js";
import { startFirehoseServer } from "../firehose/fixtures.js";
import { ManualClock } from "../../src/util/clock.js";

const aws = "/usr/bin/aws";
let server: TestServer;
// The CLI's model holds IntervalInSeconds to 60 at least: the server's clock is moved past it.
const clock = new ManualClock(Date.now());
const dir = mkdtempSync(join(tmpdir(), "firehose-e2e-"));
before(async () => {
  server = await startFirehoseServer({ clock });
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Asynchronous: the server runs in this process, so a synchronous child would block its answers.
async function cli(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(aws, ["--endpoint-url", server.url, "--region", server.region, "--output", "json", ...args], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_PAGER: "" },
    encoding: "utf8",
  });
  return stdout;
}

it("delivers put-record-batch records as a GZIP object that aws s3 cp reads back", async () => {
  await cli(
    "firehose", "create-delivery-stream", "--delivery-stream-name", "cli-stream",
    "--extended-s3-destination-configuration",
    JSON.stringify({ RoleARN: "arn:aws:iam::000000000000:role/r", BucketARN: "arn:aws:s3:::cli-bucket", CompressionFormat: "GZIP", Prefix: "logs/", BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } }),
  );
  const described = JSON.parse(await cli("firehose", "describe-delivery-stream", "--delivery-stream-name", "cli-stream"));
  assert.equal(described.DeliveryStreamDescription.DeliveryStreamName, "cli-stream");
  const recordsFile = join(dir, "records.json");
  writeFileSync(recordsFile, JSON.stringify(Array.from({ length: 20 }, (_, n) => ({ Data: Buffer.from(`line ${n}\n`).toString("base64") }))));
  const put = JSON.parse(await cli("firehose", "put-record-batch", "--delivery-stream-name", "cli-stream", "--records", `file://${recordsFile}`));
  assert.equal(put.FailedPutCount, 0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await clock.advanceAsync(60_000);
  let keys: string[] = [];
  for (let attempt = 0; attempt < 100 && keys.length === 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const listed = await cli("s3api", "list-objects-v2", "--bucket", "cli-bucket");
    keys = ((JSON.parse(listed || "{}").Contents ?? []) as { Key: string }[]).map((object) => object.Key);
  }
  assert.equal(keys.length, 1);
  assert.match(keys[0]!, /^logs\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/cli-stream-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$/);
  const local = join(dir, "object.gz");
  await cli("s3", "cp", `s3://cli-bucket/${keys[0]}`, local);
  assert.equal(gunzipSync(readFileSync(local)).toString(), Array.from({ length: 20 }, (_, n) => `line ${n}\n`).join(""));
});
