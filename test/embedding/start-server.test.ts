/**
 * `startServer` (src/index.ts), the package's main entry: from the sources, and from a child
 * process that imports the built package by its name, as a test suite that installed it does.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ListStreamsCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { startServer, StartError } from "../../src/index.js";
import { repoRoot } from "../cli/cli-process.js";
import { sleep } from "../helpers/wait.js";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const packageJson = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { name: string; exports: Record<string, unknown> };

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("embedding > startServer", () => {
  it("embedding > startServer > defaults: a free port on loopback, memory storage, streams ACTIVE at once", async () => {
    // Memory storage (the default) never makes the data directory it is given.
    const unusedDir = join(tmpdir(), `tributary-embed-unused-${process.pid}-${Date.now()}`);
    const server = await startServer({ dataDir: unusedDir });
    const kinesis = new KinesisClient({ endpoint: server.url, region: server.region, credentials });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(server.url, `http://127.0.0.1:${server.port}`);
      assert.notEqual(server.port, 0);
      assert.deepEqual([server.region, server.accountId], ["us-east-1", "000000000000"]);
      const health = (await (await fetch(`${server.url}/health`)).json()) as { status: string; storage: string };
      // With each service's own part: Firehose reports its delivery streams being delivered.
      assert.deepEqual(health, { status: "ok", storage: "memory", firehose: { deliveryStreams: 0 } });
      await kinesis.send(new CreateStreamCommand({ StreamName: "s", ShardCount: 1 }));
      // createStreamMs 0: writable straight away.
      await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "k", Data: Buffer.from("x") }));
      assert.equal(existsSync(unusedDir), false);
    } finally {
      kinesis.destroy();
      await server.close();
    }
    assert.equal(await portIsFree(server.port), true, "close() released the port");
  });

  it("embedding > startServer > init as a document: ACTIVE before startServer resolves, even with CREATING delays", async () => {
    const server = await startServer({
      createStreamMs: 300,
      init: { streams: [{ StreamName: "orders", ShardCount: 3, Consumers: ["c1"] }], tables: [] },
    });
    const kinesis = new KinesisClient({ endpoint: server.url, region: "us-east-1", credentials });
    try {
      const summary = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "orders" }))).StreamDescriptionSummary!;
      assert.deepEqual([summary.StreamStatus, summary.OpenShardCount, summary.ConsumerCount], ["ACTIVE", 3, 1]);
    } finally {
      kinesis.destroy();
      await server.close();
    }
  });

  it("embedding > startServer > embedded storage in a data directory survives a close and a new start", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tributary-embed-"));
    try {
      const first = await startServer({ storage: "embedded", dataDir, fsync: "never" });
      const client = new KinesisClient({ endpoint: first.url, region: "us-east-1", credentials });
      await client.send(new CreateStreamCommand({ StreamName: "kept", ShardCount: 1 }));
      client.destroy();
      await first.close();
      const second = await startServer({ storage: "embedded", dataDir });
      const again = new KinesisClient({ endpoint: second.url, region: "us-east-1", credentials });
      try {
        assert.deepEqual((await again.send(new ListStreamsCommand({}))).StreamNames, ["kept"]);
      } finally {
        again.destroy();
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("embedding > startServer > bad options reject with a StartError that says what is valid", async () => {
    const refused = async (options: Parameters<typeof startServer>[0], message: string | RegExp) => {
      const error = await startServer(options).then(
        () => assert.fail("started"),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof StartError, String(error));
      if (typeof message === "string") assert.equal(error.message, message);
      else assert.match(error.message, message);
    };
    await refused({ port: 70000 }, "port must be an integer from 0 to 65535, got 70000");
    await refused({ createStreamMs: -1 }, "createStreamMs must be an integer from 0 to 600000, got -1");
    await refused({ storage: "disk" as "memory" }, "storage must be one of embedded, memory, nats, got disk");
    await refused({ limits: "none" as "off" }, "limits must be one of aws, off, got none");
    await refused({ prot: 1 } as Parameters<typeof startServer>[0], "unknown option prot");
    await refused({ init: { widgets: [] } as never }, 'init: unknown key "widgets": this server provisions "streams", "tables", "buckets", "functions", "deliveryStreams", "glueDatabases" and "applications"');
    await refused({ init: { streams: [{ StreamName: "s", ShardCount: 0 }] } }, /^init: streams\[0\] \(CreateStream\): ValidationException: 1 validation error detected: Value '0' at 'shardCount'/);
    await refused({ faults: { rules: [{ fault: "slow" }] } }, /^invalid fault rules: /);
  });

  it("embedding > startServer > close() is graceful: a request in flight is answered, then the port is free", async () => {
    const server = await startServer({ init: { streams: [{ StreamName: "s", ShardCount: 1 }] } });
    const kinesis = new KinesisClient({ endpoint: server.url, region: "us-east-1", credentials });
    try {
      const put = kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "k", Data: Buffer.alloc(512 * 1024) }));
      // Let the request reach the server before the close starts.
      await sleep(50);
      const closing = server.close();
      assert.match((await put).SequenceNumber!, /^\d{56}$/);
      await closing;
    } finally {
      kinesis.destroy();
    }
    assert.equal(await portIsFree(server.port), true);
  });

  it(`embedding > startServer > a child process imports the built package by its name (${packageJson.name}) and uses it`, async () => {
    assert.ok("." in packageJson.exports, 'package.json exports "."');
    const built = join(repoRoot, "dist/index.js");
    assert.ok(existsSync(built), `${built} is missing: run npm run build (npm ci runs it)`);
    // Inside the package's directory, so Node resolves the name to this package (self-reference through "exports").
    // .tmp/ is ignored by git.
    mkdirSync(join(repoRoot, ".tmp"), { recursive: true });
    const scriptDir = mkdtempSync(join(repoRoot, ".tmp", "embedding-"));
    const script = join(scriptDir, "uses-package.mjs");
    writeFileSync(
      script,
      `import { startServer } from ${JSON.stringify(packageJson.name)};
import { KinesisClient, DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
const server = await startServer({ init: { streams: [{ StreamName: "orders", ShardCount: 2 }] } });
const kinesis = new KinesisClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
const summary = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "orders" }))).StreamDescriptionSummary;
kinesis.destroy();
await server.close();
console.log(JSON.stringify({ url: server.url, status: summary.StreamStatus, shards: summary.OpenShardCount }));
`,
    );
    try {
      const child = spawn(process.execPath, [script], { cwd: scriptDir, env: { ...process.env, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: "1" }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      assert.equal(code, 0, stderr);
      const result = JSON.parse(stdout) as { url: string; status: string; shards: number };
      assert.match(result.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual([result.status, result.shards], ["ACTIVE", 2]);
      // The process exited by itself after close(): nothing the server started keeps it alive.
    } finally {
      rmSync(scriptDir, { recursive: true, force: true });
    }
  });

  it("embedding > startServer > the entry does not load the command line", async () => {
    const { readFile } = await import("node:fs/promises");
    const seen = new Set<string>();
    const visit = async (path: string): Promise<void> => {
      if (seen.has(path)) return;
      seen.add(path);
      const text = await readFile(path, "utf8");
      for (const match of text.matchAll(/from "(\.{1,2}\/[^"]+)\.js"/g)) await visit(join(path, "..", `${match[1]}.ts`));
    };
    await visit(join(repoRoot, "src/index.ts"));
    const cli = [...seen].filter((path) => path.includes("/src/cli/"));
    assert.deepEqual(cli, []);
  });
});
