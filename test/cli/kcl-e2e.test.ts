/**
 * `tributary kcl` end to end, as a KCL user runs it: a record processor built on the aws-kcl npm
 * package (test/fixtures/kcl/recording-processor.cjs), a properties file in the KCL's format, the
 * daemon pointed at a Tributary server that serves both Kinesis and the lease table. The
 * processor sees every record (KPL aggregates de-aggregated, with sub-sequence numbers),
 * checkpoints through the protocol, and a second run of the daemon resumes after the checkpoints.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { Producer } from "../../src/client/index.js";
import { exampleCredentials, kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { repoRoot } from "./cli-process.js";
import { sleep } from "../helpers/wait.js";


let server: TestServer;
let kinesis: KinesisClient;
let dir: string;
const StreamName = randomStreamName("kcl-e2e");
const applicationName = `app-${StreamName}`;

before(async () => {
  server = await startTestServer();
  kinesis = kinesisClient(server);
  dir = mkdtempSync(join(tmpdir(), "tributary-kcl-e2e-"));
  await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 2 }));
  for (let i = 0; i < 100; i++) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
    if (out.StreamDescriptionSummary?.StreamStatus === "ACTIVE") break;
    await sleep(20);
  }
  writeFileSync(
    join(dir, "app.properties"),
    [
      "# A KCL multilang application, as the Java daemon reads it",
      `executableName = ${process.execPath} ${join(repoRoot, "test/fixtures/kcl/recording-processor.cjs")}`,
      `streamName = ${StreamName}`,
      `applicationName = ${applicationName}`,
      "AWSCredentialsProvider = DefaultCredentialsProvider",
      "processingLanguage = nodejs/20",
      "initialPositionInStream = TRIM_HORIZON",
      "regionName = us-east-1",
      "retrievalMode = POLLING",
      "idleTimeBetweenReadsInMillis = 200",
      "failoverTimeMillis = 3000",
      "",
    ].join("\n"),
  );
});

after(async () => {
  kinesis.destroy();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Noted {
  event: string;
  record?: { data: string; partitionKey: string; sequenceNumber: string; subSequenceNumber: number };
  error?: string | null;
}

function noted(file: string): Noted[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Noted);
}

function startDaemon(recordFile: string): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  let stderr = "";
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "kcl", "--properties", join(dir, "app.properties"), "--endpoint", server.url, "--log-level", "warn"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      KCL_RECORD_FILE: recordFile,
      KCL_CHECKPOINT_EVERY: "25",
      AWS_ACCESS_KEY_ID: exampleCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: exampleCredentials.secretAccessKey,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

async function waitFor(check: () => boolean, what: string, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; daemon stderr:\n${stderr()}`);
    await sleep(200);
  }
}

async function put(datas: string[], aggregate: boolean): Promise<void> {
  const producer = new Producer({ client: kinesis, StreamName, aggregate });
  await Promise.all(datas.map((data, i) => producer.put({ PartitionKey: `key-${i % 17}`, Data: data })));
  await producer.close();
}

it("tributary kcl > an aws-kcl processor gets every record, checkpoints, and a second run resumes after the checkpoints", { timeout: 120_000 }, async () => {
  const first = Array.from({ length: 300 }, (_, i) => `first-${i}`);
  await put(first.slice(0, 150), false);
  await put(first.slice(150), true); // KPL aggregates: de-aggregated before the processor sees them

  const run1File = join(dir, "run1.jsonl");
  const run1 = startDaemon(run1File);
  const seen1 = () => new Set(noted(run1File).flatMap((n) => (n.record ? [Buffer.from(n.record.data, "base64").toString("utf8")] : [])));
  await waitFor(() => first.every((data) => seen1().has(data)), "the first 300 records", run1.stderr);
  run1.child.kill("SIGTERM");
  assert.equal(await run1.exited, 0, `the daemon exits 0 after a graceful shutdown: ${run1.stderr()}`);

  const events1 = noted(run1File);
  const records1 = events1.filter((n) => n.record).map((n) => n.record!);
  assert.ok(records1.some((r) => r.subSequenceNumber > 0), "aggregated records arrive with their sub-sequence numbers");
  const checkpoints = events1.filter((n) => n.event === "checkpointed");
  assert.ok(checkpoints.length >= 300 / 25, `the processor checkpointed (${checkpoints.length} times)`);
  assert.deepEqual(checkpoints.filter((n) => n.error !== null), [], "every checkpoint succeeded");
  assert.equal(events1.filter((n) => n.event === "shutdownRequested").length, 2, "each shard's processor was asked to shut down");

  // The lease table holds each shard's checkpoint, in the KCL's layout.
  const dynamodb = new DynamoDBClient({ endpoint: server.url, region: server.region, credentials: exampleCredentials });
  try {
    const { Items } = await dynamodb.send(new ScanCommand({ TableName: applicationName, ConsistentRead: true }));
    assert.equal(Items?.length, 2);
    for (const item of Items!) {
      assert.match(item.checkpoint!.S!, /^\d+$/, `${item.leaseKey!.S}: checkpointed at a sequence number`);
      assert.equal(item.leaseOwner, undefined, `${item.leaseKey!.S}: released at shutdown`);
    }
  } finally {
    dynamodb.destroy();
  }

  // A second run: only what was written since, nothing already checkpointed.
  const second = Array.from({ length: 40 }, (_, i) => `second-${i}`);
  await put(second, false);
  const run2File = join(dir, "run2.jsonl");
  const run2 = startDaemon(run2File);
  const seen2 = () => noted(run2File).flatMap((n) => (n.record ? [Buffer.from(n.record.data, "base64").toString("utf8")] : []));
  await waitFor(() => second.every((data) => seen2().includes(data)), "the 40 later records", run2.stderr);
  run2.child.kill("SIGTERM");
  assert.equal(await run2.exited, 0, run2.stderr());
  assert.deepEqual(seen2().filter((data) => data.startsWith("first-")), [], "nothing checkpointed in the first run is delivered again");
});
