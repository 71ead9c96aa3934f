/**
 * The `tributary` command as a user meets it: help, version, option errors, environment
 * variables, the ready line, and graceful shutdown on SIGTERM / SIGINT with a request in flight.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request, type ClientRequest, type IncomingMessage } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { DescribeStreamSummaryCommand, CreateStreamCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { envName, serverOptions } from "../../src/cli/server-options.js";
import { repoRoot, runCli, startCliServer } from "./cli-process.js";

const packageVersion = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version;

/** A port that was free a moment ago (for the tests that must name a port rather than use 0). */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function client(url: string, region: string): KinesisClient {
  return new KinesisClient({
    endpoint: url,
    region,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
  });
}

async function streamArnVia(url: string, region: string): Promise<string> {
  const kinesis = client(url, region);
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: "cli-region", ShardCount: 1 }));
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "cli-region" }));
    return summary.StreamDescriptionSummary!.StreamARN!;
  } finally {
    kinesis.destroy();
  }
}

describe("cli", { concurrency: 3 }, () => {
  it("cli > --help prints the usage and exits 0", async () => {
    const result = await runCli(["--help"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: tributary <command> \[options\]/);
    assert.match(result.stdout, /\n {2}server {8}run the Tributary server/);
  });

  it("cli > no command prints the usage and exits 0", async () => {
    const result = await runCli([]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: tributary <command> \[options\]/);
  });

  it("cli > --version prints the version in package.json", async () => {
    const result = await runCli(["--version"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${packageVersion}\n`);
  });

  it("cli > an unknown command exits 2 and names it", async () => {
    const result = await runCli(["serve"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^tributary: unknown command 'serve'\n/);
    assert.equal(result.stdout, "");
  });

  it("cli > server --help lists every flag with its default and environment variable", async () => {
    const result = await runCli(["server", "--help"]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split("\n");
    assert.equal(lines[0], "Usage: tributary server [options]");
    for (const spec of serverOptions) {
      // A switch (--tls) takes no value.
      const line = lines.find((candidate) => candidate.startsWith(spec.boolean ? `  --${spec.flag} ` : `  --${spec.flag} <value>`));
      assert.ok(line, `--${spec.flag} missing from:\n${result.stdout}`);
      assert.ok(line.includes(spec.description), line);
      assert.ok(line.includes(`default ${spec.defaultValue}`), line);
      assert.ok(line.endsWith(`env ${envName(spec.flag)})`), line);
    }
    assert.ok(serverOptions.length >= 10);
  });

  it("cli > server > an unknown flag exits 2 with a clear message", async () => {
    const result = await runCli(["server", "--no-such-flag"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^tributary: Unknown option '--no-such-flag'/);
    assert.ok(result.stderr.includes("Usage: tributary server [options]"));
    assert.equal(result.stdout, "");
  });

  it("cli > server > --port 70000 exits 2 and says why", async () => {
    const result = await runCli(["server", "--port", "70000"]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "tributary: --port must be an integer from 0 to 65535, got 70000\n");
  });

  it("cli > server > --account-id abc exits 2 and says why", async () => {
    const result = await runCli(["server", "--account-id", "abc"]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "tributary: --account-id must be 12 digits, got abc\n");
  });

  it("cli > server > a bad TRIBUTARY_PORT names the variable", async () => {
    const result = await runCli(["server"], { TRIBUTARY_PORT: "http" });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "tributary: TRIBUTARY_PORT must be an integer from 0 to 65535, got http\n");
  });
});

describe("cli > server", () => {
  it("cli > server > prints its URL when ready and serves on it (--port 0)", async () => {
    const server = await startCliServer({ args: ["--port", "0"] });
    try {
      const url = new URL(server.url);
      assert.equal(url.hostname, "127.0.0.1");
      assert.notEqual(url.port, "0");
      assert.match(server.stdout(), new RegExp(`^Tributary ${packageVersion.replace(/\./g, "\\.")} listening on http://127\\.0\\.0\\.1:\\d+ `));
      const health = await fetch(`${server.url}/health`);
      assert.equal(health.status, 200);
      assert.equal((await health.json() as { status: string }).status, "ok");
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null });
    }
  });

  it("cli > server > TRIBUTARY_PORT and TRIBUTARY_REGION take effect", async () => {
    const port = await freePort();
    const server = await startCliServer({ args: [], env: { TRIBUTARY_PORT: String(port), TRIBUTARY_REGION: "eu-west-2" } });
    try {
      assert.equal(server.url, `http://127.0.0.1:${port}`);
      assert.equal(await streamArnVia(server.url, "eu-west-2"), "arn:aws:kinesis:eu-west-2:000000000000:stream/cli-region");
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null });
    }
  });

  it("cli > server > a flag wins over its environment variable", async () => {
    const server = await startCliServer({
      args: ["--port", "0", "--region", "ap-south-1", "--account-id", "123456789012"],
      env: { TRIBUTARY_REGION: "eu-west-2", TRIBUTARY_ACCOUNT_ID: "999999999999" },
    });
    try {
      assert.equal(await streamArnVia(server.url, "ap-south-1"), "arn:aws:kinesis:ap-south-1:123456789012:stream/cli-region");
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null });
    }
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`cli > server > ${signal} lets an in-flight request complete, then exits 0`, async () => {
      const server = await startCliServer({ args: ["--port", "0", "--create-stream-ms", "0", "--log-level", "debug"] });
      try {
        const body = Buffer.from(JSON.stringify({ StreamName: `in-flight-${signal}`, ShardCount: 1 }));
        // Send the headers and part of the body, and wait until the server has taken the request
        // in (it logs that at debug level): then the request is in flight when the signal lands.
        const { req, response } = startRequest(server.url, body.length);
        req.write(body.subarray(0, 10));
        await server.waitForStderr('"msg":"request received"');
        server.child.kill(signal);
        await server.waitForStderr("stopping: finishing in-flight requests");
        req.end(body.subarray(10));
        const res = await response;
        assert.equal(res.statusCode, 200);
        assert.equal(res.body, "");
        assert.deepEqual(await server.exited, { code: 0, signal: null });
      } finally {
        await server.stop("SIGKILL");
      }
    });
  }
});

function startRequest(url: string, contentLength: number): { req: ClientRequest; response: Promise<{ statusCode: number; body: string }> } {
  const target = new URL(url);
  const req = request({
    host: target.hostname,
    port: target.port,
    method: "POST",
    path: "/",
    agent: false,
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "Kinesis_20131202.CreateStream",
      "content-length": String(contentLength),
    },
  });
  const response = new Promise<{ statusCode: number; body: string }>((resolve, reject) => {
    req.on("error", reject);
    req.on("response", (res: IncomingMessage) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      res.on("end", () => resolve({ statusCode: res.statusCode ?? 0, body: text }));
      res.on("error", reject);
    });
  });
  req.flushHeaders();
  return { req, response };
}
