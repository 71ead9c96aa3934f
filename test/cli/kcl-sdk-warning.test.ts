/**
 * `tributary kcl` builds AWS SDK clients; on Node.js < 22 the SDK warns on the first one
 * (NodeVersionSupportWarning, ten lines on stderr). The daemon silences it for itself through the
 * SDK's documented switch (src/cli/kcl/sdk-warning.ts), and leaves its record processors the
 * environment it was started with. The control shows that, on this Node.js, the same environment
 * without the daemon's switch does print the warning.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateStreamCommand, waitUntilStreamExists, type KinesisClient } from "@aws-sdk/client-kinesis";
import { exampleCredentials, kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { repoRoot, runCli } from "./cli-process.js";
import { sdkNodeVersionWarningVariable } from "../../src/cli/kcl/sdk-warning.js";
import { sleep } from "../helpers/wait.js";

const warningText = "NodeVersionSupportWarning";
const sdkWarnsOnThisNode = Number(process.versions.node.split(".")[0]) < 22;

let server: TestServer;
let kinesis: KinesisClient;
let dir: string;
const StreamName = randomStreamName("kcl-warning");

/** Our environment without the switch (scripts/test.sh sets it for the suite) and without TRIBUTARY_*. */
function environment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name !== sdkNodeVersionWarningVariable && !name.startsWith("TRIBUTARY_")) env[name] = value;
  }
  return { ...env, AWS_ACCESS_KEY_ID: exampleCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: exampleCredentials.secretAccessKey, AWS_REGION: "us-east-1" };
}

before(async () => {
  server = await startTestServer();
  kinesis = kinesisClient(server);
  dir = mkdtempSync(join(tmpdir(), "tributary-kcl-warning-"));
  await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
  await waitUntilStreamExists({ client: kinesis, minDelay: 1, maxWaitTime: 30 }, { StreamName });
  // A minimal multilang processor: answers every message, and on initialize writes down whether
  // it was given the daemon's switch.
  writeFileSync(
    join(dir, "processor.cjs"),
    `const fs = require("node:fs");
const readline = require("node:readline");
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "") return;
  const message = JSON.parse(line);
  if (message.action === "initialize") fs.writeFileSync(${JSON.stringify(join(dir, "processor-env"))}, String(process.env.${sdkNodeVersionWarningVariable}));
  if (message.action === "shardEnded") { process.stdout.write(JSON.stringify({ action: "checkpoint", sequenceNumber: null }) + "\\n"); return; }
  if (message.action === "checkpoint") message.action = "shardEnded";
  process.stdout.write(JSON.stringify({ action: "status", responseFor: message.action }) + "\\n");
});
`,
  );
  writeFileSync(
    join(dir, "app.properties"),
    [
      `executableName = ${process.execPath} processor.cjs`,
      `streamName = ${StreamName}`,
      `applicationName = app-${StreamName}`,
      "initialPositionInStream = TRIM_HORIZON",
      "retrievalMode = POLLING",
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

it("control: on this Node.js a process that builds an SDK client without the switch prints the warning", { skip: !sdkWarnsOnThisNode && "the SDK warns only on Node.js < 22" }, () => {
  const script = 'import("@aws-sdk/client-kinesis").then(({ KinesisClient }) => new KinesisClient({ region: "us-east-1" }).destroy())';
  const result = spawnSync(process.execPath, ["-e", script], { cwd: repoRoot, env: environment(), encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr.split(warningText).length - 1, 1, result.stderr);
});

it("tributary kcl --help prints no SDK warning", async () => {
  const result = await runCli(["kcl", "--help"], { ...environment() } as Record<string, string>);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(!result.stderr.includes(warningText), result.stderr);
});

it("a tributary kcl run prints no SDK warning, and its record processors get the environment it was started with", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "kcl", "--properties", join(dir, "app.properties"), "--endpoint", server.url], {
    cwd: repoRoot,
    env: environment(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  const markerPath = join(dir, "processor-env");
  const deadline = Date.now() + 60_000;
  while (!existsSync(markerPath)) {
    assert.ok(Date.now() < deadline, `the processor was not initialized within 60 s:\n${stderr}`);
    assert.equal(child.exitCode, null, `tributary kcl exited early:\n${stderr}`);
    await sleep(100);
  }
  child.kill("SIGTERM");
  const { code } = await exited;
  assert.equal(code, 0, stderr);
  // The daemon built its clients and ran the lease table and the shard (a processor was started).
  assert.match(stderr, /starting the MultiLangDaemon/);
  assert.ok(!stderr.includes(warningText), stderr);
  assert.equal(readFileSync(markerPath, "utf8"), "undefined", "the processor was given the daemon's switch");
});
