/**
 * `--auth none|sigv4`, `--credentials-file`, `--allow-unauthenticated` (docs/auth.md): the
 * binding rule (no authentication only on loopback unless asked for), SigV4 through the real
 * command, and the credentials file reloading without a restart — through the real file system
 * and command, and through CredentialsFile with an injected file port and clock.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { authOptionsProblem, envName, isLoopbackHost, resolveServerOptions, serverOptions } from "../../src/cli/server-options.js";
import { CredentialsFile, type CredentialsFilePort } from "../../src/auth/credentials-file.js";
import { ManualClock } from "../../src/util/clock.js";
import { jsonCall } from "../helpers/raw.js";
import { runCli, startCliServer } from "./cli-process.js";
import { CredentialsDir, credentialsEntry } from "../auth/sigv4-helpers.js";
import { sleep } from "../helpers/wait.js";

const alice = { accessKeyId: "AKIAALICEEXAMPLE0001", secretAccessKey: "alice/secret/EXAMPLEKEY" };
const bob = { accessKeyId: "AKIABOBEXAMPLE000001", secretAccessKey: "bob/secret/EXAMPLEKEY" };

function options(cli: Record<string, string>, env: Record<string, string> = {}) {
  const resolved = resolveServerOptions(cli, env);
  assert.ok(resolved.ok, resolved.ok ? "" : resolved.message);
  return resolved.values;
}

const refusal =
  "refusing to serve without authentication on 0.0.0.0, which other machines can reach: use --auth sigv4 with --credentials-file, " +
  "bind a loopback address (--host 127.0.0.1), or pass --allow-unauthenticated to accept every request as the configured account";

describe("cli > server > --auth > binding rule", () => {
  it("cli > server > --auth > loopback addresses are recognised, others are not", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "::ffff:127.0.0.1"]) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "example.com", "128.0.0.1"]) assert.equal(isLoopbackHost(host), false, host);
  });

  it("cli > server > --auth > none is the default and is allowed on loopback only", () => {
    assert.equal(options({}).auth, "none");
    assert.equal(authOptionsProblem(options({})), undefined);
    assert.equal(authOptionsProblem(options({ host: "0.0.0.0" })), refusal);
    assert.equal(authOptionsProblem(options({ host: "0.0.0.0", auth: "none" })), refusal);
    assert.equal(authOptionsProblem(options({ host: "0.0.0.0", "allow-unauthenticated": "true" })), undefined);
    assert.equal(authOptionsProblem(options({ host: "0.0.0.0" }, { TRIBUTARY_ALLOW_UNAUTHENTICATED: "1" })), undefined);
  });

  it("cli > server > --auth > sigv4 needs a credentials file, and a credentials file needs sigv4", () => {
    assert.equal(authOptionsProblem(options({ host: "0.0.0.0", auth: "sigv4" })), "--auth sigv4 needs --credentials-file (or TRIBUTARY_CREDENTIALS_FILE)");
    assert.equal(authOptionsProblem(options({ host: "0.0.0.0", auth: "sigv4", "credentials-file": "/x.json" })), undefined);
    assert.equal(authOptionsProblem(options({}, { TRIBUTARY_AUTH: "sigv4", TRIBUTARY_CREDENTIALS_FILE: "/x.json" })), undefined);
    assert.equal(authOptionsProblem(options({ "credentials-file": "/x.json" })), "--credentials-file is used only with --auth sigv4");
    const bad = resolveServerOptions({ auth: "basic" }, {});
    assert.deepEqual(bad, { ok: false, message: "--auth must be one of none, sigv4, got basic" });
  });

  it("cli > server > --auth > the flags are in --help with their variables", async () => {
    for (const flag of ["auth", "credentials-file", "allow-unauthenticated"]) assert.ok(serverOptions.some((spec) => spec.flag === flag), flag);
    assert.equal(envName("allow-unauthenticated"), "TRIBUTARY_ALLOW_UNAUTHENTICATED");
    const result = await runCli(["server", "--help"]);
    assert.equal(result.code, 0, result.stderr);
    // The name column is as wide as the longest option's name: compare lines with their padding as two spaces.
    const lines = result.stdout.split("\n").map((line) => line.replace(/^( {2}--\S+(?: <value>)?) +/, "$1  "));
    assert.ok(lines.includes("  --auth <value>  authentication: none (loopback only, unless --allow-unauthenticated) or sigv4 (default none; env TRIBUTARY_AUTH)"));
    assert.ok(lines.includes("  --credentials-file <value>  JSON file of access keys, principals and policies for --auth sigv4; reloaded on change (default none; env TRIBUTARY_CREDENTIALS_FILE)"));
    assert.ok(lines.includes("  --allow-unauthenticated  allow --auth none on an address other than loopback (default false; env TRIBUTARY_ALLOW_UNAUTHENTICATED)"));
  });

  it("cli > server > --auth > binding 0.0.0.0 without authentication stops the start with the reason", async () => {
    const result = await runCli(["server", "--host", "0.0.0.0", "--port", "0"]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `tributary: ${refusal}\n`);
  });

  it("cli > server > --auth > a bad credentials file stops the start, naming the problem and no secret", async () => {
    const credentials = new CredentialsDir();
    try {
      credentials.write([{ ...credentialsEntry("alice", alice), accountId: "12" }]);
      const result = await runCli(["server", "--port", "0", "--auth", "sigv4", "--credentials-file", credentials.path]);
      assert.equal(result.code, 2);
      assert.equal(result.stderr, `tributary: invalid credentials file ${credentials.path}: credentials[0]: accountId of ${alice.accessKeyId} must be a 12-digit account id\n`);
    } finally {
      credentials.remove();
    }
  });
});

async function listStreams(url: string, as: { accessKeyId: string; secretAccessKey: string }): Promise<string> {
  const client = new KinesisClient({ endpoint: url, region: "us-east-1", credentials: as });
  try {
    await client.send(new ListStreamsCommand({}));
    return "ok";
  } catch (error) {
    return (error as Error).name;
  } finally {
    client.destroy();
  }
}

/** Calls until `expected` comes back; the reload is asynchronous (a watch event, or the next check). */
async function eventually(call: () => Promise<string>, expected: string, deadlineMs = 10_000): Promise<void> {
  const started = Date.now();
  let last = await call();
  while (last !== expected && Date.now() - started < deadlineMs) {
    await sleep(100);
    last = await call();
  }
  assert.equal(last, expected);
}

describe("cli > server > --auth sigv4 through the command", () => {
  it("cli > server > --auth sigv4 > checks signatures, and reloads the credentials file without a restart", async () => {
    const credentials = new CredentialsDir();
    credentials.write([credentialsEntry("alice", alice)]);
    const server = await startCliServer({ args: ["--port", "0"], env: { TRIBUTARY_AUTH: "sigv4", TRIBUTARY_CREDENTIALS_FILE: credentials.path } });
    try {
      const unsigned = await jsonCall(server.url, "ListStreams", {});
      assert.deepEqual(unsigned.body, { __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" });
      assert.equal(await listStreams(server.url, alice), "ok");
      assert.equal(await listStreams(server.url, bob), "UnrecognizedClientException");

      // Replaced as an editor does: bob in, alice out.
      credentials.write([credentialsEntry("bob", bob)]);
      await eventually(() => listStreams(server.url, bob), "ok");
      assert.equal(await listStreams(server.url, alice), "UnrecognizedClientException");

      // A broken file keeps the credentials in use, and is reported once.
      credentials.write("{ not json");
      await server.waitForStderr("credentials file not reloaded");
      for (let i = 0; i < 3; i++) assert.equal(await listStreams(server.url, bob), "ok");
      assert.equal(server.stderr().split("credentials file not reloaded").length - 1, 1);
      assert.ok(!server.stderr().includes(bob.secretAccessKey), "a secret reached the log");

      credentials.write([credentialsEntry("alice", alice)]);
      await eventually(() => listStreams(server.url, alice), "ok");
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null });
      credentials.remove();
    }
  });

  it("cli > server > --allow-unauthenticated > serves --auth none on 0.0.0.0 with a warning", async () => {
    const server = await startCliServer({ args: ["--port", "0", "--host", "0.0.0.0", "--allow-unauthenticated", "--functions", "off"] });
    try {
      assert.equal((await jsonCall(server.url.replace("0.0.0.0", "127.0.0.1"), "ListStreams", {})).statusCode, 200);
      await server.waitForStderr("serving without authentication (--allow-unauthenticated)");
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null });
    }
  });
});

/** An in-memory credentials file: its version changes with every write. */
class MemoryFilePort implements CredentialsFilePort {
  private content: string | undefined;
  private writes = 0;
  write(content: string | undefined): void {
    this.content = content;
    this.writes++;
  }
  async version(): Promise<string | undefined> {
    return this.content === undefined ? undefined : `v${this.writes}`;
  }
  async read(): Promise<string> {
    if (this.content === undefined) throw new Error("ENOENT: no such file");
    return this.content;
  }
  watch(): undefined {
    return undefined;
  }
}

class RecordingLogger {
  readonly errors: { fields: Record<string, unknown>; message: string }[] = [];
  info(): void {}
  warn(): void {}
  debug(): void {}
  error(fields: Record<string, unknown>, message: string): void {
    this.errors.push({ fields, message });
  }
  child(): RecordingLogger {
    return this;
  }
}

const fileOf = (...entries: unknown[]) => JSON.stringify({ credentials: entries });

describe("auth > credentials file > reload (injected file and clock)", () => {
  async function open() {
    const port = new MemoryFilePort();
    port.write(fileOf(credentialsEntry("alice", alice)));
    const clock = new ManualClock(1_000_000);
    const logger = new RecordingLogger();
    const file = await CredentialsFile.open({ path: "/creds.json", port, clock, logger: logger as never, checkIntervalMs: 1000 });
    return { port, clock, logger, file };
  }

  it("auth > credentials file > a change is picked up at the first lookup after the check interval", async () => {
    const { port, clock, file } = await open();
    port.write(fileOf(credentialsEntry("bob", bob)));
    assert.ok(await file.lookup(alice.accessKeyId), "reloaded before the interval passed");
    clock.advance(1000);
    assert.equal(await file.lookup(alice.accessKeyId), undefined);
    const entry = await file.lookup(bob.accessKeyId);
    assert.equal(entry?.secretAccessKey, bob.secretAccessKey);
    assert.deepEqual(entry?.identity.arn, "arn:aws:iam::000000000000:user/bob");
  });

  it("auth > credentials file > a bad new version keeps the old credentials and is logged once, without secrets", async () => {
    const { port, clock, logger, file } = await open();
    port.write(fileOf({ ...credentialsEntry("bob", bob), principalArn: "bob" }));
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      assert.ok(await file.lookup(alice.accessKeyId));
    }
    assert.equal(logger.errors.length, 1);
    assert.deepEqual(logger.errors[0]!.fields, {
      path: "/creds.json",
      problem: `credentials[0]: principalArn of ${bob.accessKeyId} must be an IAM or STS ARN (arn:aws:iam::000000000000:user/name)`,
    });
    assert.ok(!JSON.stringify(logger.errors).includes(bob.secretAccessKey));
    // A file that goes away is reported once too, and the credentials stay.
    port.write(undefined);
    clock.advance(1000);
    assert.ok(await file.lookup(alice.accessKeyId));
    clock.advance(1000);
    await file.lookup(alice.accessKeyId);
    assert.equal(logger.errors.length, 2);
    assert.equal(logger.errors[1]!.fields.problem, "the file is gone");
    // A good version after bad ones is taken.
    port.write(fileOf(credentialsEntry("bob", bob)));
    clock.advance(1000);
    assert.ok(await file.lookup(bob.accessKeyId));
  });

  it("auth > credentials file > entries are checked: duplicates, policies, session tokens, ARN account", async () => {
    const { parseCredentialsFile } = await import("../../src/auth/credentials-file.js");
    const problem = (text: string) => {
      const parsed = parseCredentialsFile(text);
      return parsed.ok ? "ok" : parsed.message;
    };
    assert.equal(problem("[]"), 'expected an object with a "credentials" array');
    assert.equal(problem(fileOf(credentialsEntry("a", alice), credentialsEntry("b", alice))), `credentials[1]: access key ${alice.accessKeyId} is listed twice`);
    assert.equal(problem(fileOf({ ...credentialsEntry("a", alice), sessionToken: "" })), `credentials[0]: sessionToken of ${alice.accessKeyId} must be a non-empty string when given`);
    assert.equal(
      problem(fileOf({ ...credentialsEntry("a", alice), principalArn: "arn:aws:iam::111122223333:user/a" })),
      `credentials[0]: principalArn of ${alice.accessKeyId} names account 111122223333, not its accountId 000000000000`,
    );
    assert.match(problem(fileOf({ ...credentialsEntry("a", alice), policies: [{ Statement: [] }] })), /^credentials\[0\]: policies\[0\] of AKIAALICEEXAMPLE0001: /);
    assert.equal(problem(fileOf({ ...credentialsEntry("a", alice), extra: 1 })), "credentials[0]: unknown field extra");
    assert.equal(problem(fileOf({ ...credentialsEntry("a", alice), sessionToken: "token" })), "ok");
  });
});
