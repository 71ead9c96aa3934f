/**
 * `tributary logs <function>` end to end: a server run by the real command, a Node.js function
 * created and invoked through @aws-sdk/client-lambda, and the logs command as a second process
 * printing its START, END and REPORT lines and what the handler printed — all of it, the last N
 * lines, and new lines as they come with --follow.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { CreateFunctionCommand, InvokeCommand, LambdaClient, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import { zipOf } from "../helpers/zip.js";
import { repoRoot, runCli, startCliServer, type CliServer } from "./cli-process.js";

const functionName = "logs-command-fn";
const handler = `export const handler = async (event) => {
  console.log("hello from the handler", event.n);
  return { ok: true };
};
`;

/** `<ISO time> <message>`, as the command prints each line. */
const linePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /;

describe("cli > logs > against a server with a function", () => {
  let server: CliServer;
  let lambda: LambdaClient;
  const requestIds: string[] = [];

  async function invoke(n: number): Promise<void> {
    const result = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify({ n })) }));
    assert.equal(result.FunctionError, undefined, Buffer.from(result.Payload ?? []).toString());
    requestIds.push(result.$metadata.requestId!);
  }

  before(async () => {
    server = await startCliServer({ args: ["--port", "0", "--storage", "memory"] });
    lambda = new LambdaClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }, maxAttempts: 1 });
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: functionName,
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/lambda-role",
        Code: { ZipFile: zipOf({ "index.mjs": handler }) },
      }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: functionName });
    await invoke(1);
    await invoke(2);
  });

  after(async () => {
    lambda?.destroy();
    await server?.stop();
  });

  it("prints every line since ten minutes ago: START, the handler's output, END and REPORT of each run", async () => {
    const result = await runCli(["logs", functionName, "--endpoint", server.url]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    const lines = result.stdout.trimEnd().split("\n");
    for (const line of lines) assert.match(line, linePattern);
    const messages = lines.map((line) => line.replace(linePattern, ""));
    for (const [index, n] of [1, 2].entries()) {
      const start = messages.findIndex((message) => message.startsWith("START RequestId: ") && message.includes(" Version: $LATEST"));
      assert.ok(start >= 0, result.stdout);
      const runId = /^START RequestId: (\S+)/.exec(messages[start]!)![1]!;
      assert.equal(runId, requestIds[index], "the run's request id is the Invoke's");
      const output = messages.findIndex((message) => message.includes(`hello from the handler ${n}`));
      const end = messages.indexOf(`END RequestId: ${runId}`);
      const report = messages.findIndex((message) => message.startsWith(`REPORT RequestId: ${runId}\tDuration: `));
      assert.ok(start < output && output < end && end < report, `START, output, END, REPORT in order:\n${result.stdout}`);
      messages.splice(0, report + 1);
    }
  });

  it("--limit 1 > only the last line, the second run's REPORT", async () => {
    const result = await runCli(["logs", functionName, "--endpoint", server.url, "--limit", "1"]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stdout);
    assert.match(lines[0]!, /^\S+ REPORT RequestId: /);
  });

  it("--since a time after the runs > nothing", async () => {
    const result = await runCli(["logs", functionName, "--endpoint", server.url, "--since", new Date(Date.now() + 60_000).toISOString()]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
  });

  it("--follow > prints the backlog, then a new run's lines as they come", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "logs", functionName, "--endpoint", server.url, "--follow"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    try {
      await until(() => stdout.includes("hello from the handler 2"), () => `backlog:\n${stdout}\n${stderr}`);
      assert.doesNotMatch(stdout, /hello from the handler 3/);
      await invoke(3);
      await until(() => /REPORT RequestId: [^\n]*\n[^]*$/.test(stdout.slice(stdout.indexOf("hello from the handler 3"))) && stdout.includes("hello from the handler 3"), () => `followed:\n${stdout}\n${stderr}`);
      assert.equal(stdout.split("hello from the handler 2").length, 2, "no line printed twice");
    } finally {
      child.kill("SIGINT");
      await exited;
    }
  });
});

async function until(check: () => boolean, describe: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
