/**
 * Every `tributary server` option's bad values through the real command: exit code 2, nothing on
 * stdout, one line on stderr that says what is valid (never the option's description, never a
 * stack trace), for the flag and for its TRIBUTARY_* variable alike. Also the help's alignment.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envName, serverOptions } from "../../src/cli/server-options.js";
import { runCli } from "./cli-process.js";

/** [flag, a bad value, the message after "tributary: " with the source left as {}]. */
const badValues: ReadonlyArray<readonly [string, string, string]> = [
  ["host", "a b", '{} must be a host name or IP address (letters, digits and . : _ -), got "a b"'],
  ["port", "70000", "{} must be an integer from 0 to 65535, got 70000"],
  ["port", "-1", "{} must be an integer from 0 to 65535, got -1"],
  ["port", "1.5", "{} must be an integer from 0 to 65535, got 1.5"],
  ["data-dir", "", "{} must be a directory path, got \"\""],
  ["region", "mars", "{} must be an AWS region name such as us-east-1, got mars"],
  ["account-id", "123", "{} must be 12 digits, got 123"],
  ["storage", "disk", "{} must be one of embedded, memory, nats, got disk"],
  ["fsync", "sometimes", "{} must be one of always, interval, never, got sometimes"],
  ["nats-url", "localhost:4222", "{} must be nats:// or tls:// URLs separated by commas, got localhost:4222"],
  ["nats-replicas", "7", "{} must be auto or an integer from 1 to 5, got 7"],
  ["nats-prefix", "a.b", "{} must be 1 to 32 letters, digits, - or _, got a.b"],
  ["create-stream-ms", "600001", "{} must be an integer from 0 to 600000, got 600001"],
  ["delete-stream-ms", "-5", "{} must be an integer from 0 to 600000, got -5"],
  ["update-stream-ms", "soon", "{} must be an integer from 0 to 600000, got soon"],
  ["shard-limit", "0", "{} must be an integer from 1 to 1000000, got 0"],
  ["limits", "none", "{} must be one of aws, off, got none"],
  ["log-level", "verbose", "{} must be one of silent, error, warn, info, debug, got verbose"],
  ["log-format", "xml", "{} must be one of auto, pretty, json, got xml"],
  ["access-log", "sometimes", "{} must be true or false (or 1 or 0), got sometimes"],
  ["metrics", "yes", "{} must be one of on, off, got yes"],
  ["metrics-retention-hours", "361", "{} must be an integer from 1 to 360, got 361"],
  ["auth", "basic", "{} must be one of none, sigv4, got basic"],
  ["tls", "maybe", "{} must be true or false (or 1 or 0), got maybe"],
  ["allow-unauthenticated", "yes", "{} must be true or false (or 1 or 0), got yes"],
  ["functions", "maybe", "{} must be one of auto, on, off, got maybe"],
  ["s3-endpoint", "s3.example.com", "{} must be an http:// or https:// URL, got s3.example.com"],
  ["s3-region", "moon", "{} must be an AWS region name such as us-east-1, got moon"],
  ["s3-force-path-style", "perhaps", "{} must be true or false (or 1 or 0), got perhaps"],
];

/** Options that take any text: their values are checked when used, and a bad one stops the start. */
const missing = "/nonexistent/tributary-option-errors";
const badFiles: ReadonlyArray<readonly [string[], RegExp]> = [
  [["--init", missing], /^tributary: cannot read the init file \/nonexistent\/tributary-option-errors: ENOENT[^\n]*\n$/],
  [["--faults", missing], /^tributary: cannot read the fault rules file \/nonexistent\/tributary-option-errors: ENOENT[^\n]*\n$/],
  [["--master-key-file", missing], /^tributary: [^\n]*\/nonexistent\/tributary-option-errors[^\n]*\n$/],
  [["--tls-cert", missing], /^tributary: --tls-cert needs --tls-key\n$/],
  [["--tls-key", missing], /^tributary: --tls-key needs --tls-cert\n$/],
  [["--tls-cert", missing, "--tls-key", missing], /^tributary: cannot read the TLS certificate \/nonexistent\/tributary-option-errors: ENOENT[^\n]*\n$/],
  [["--storage", "nats"], /^tributary: --storage nats needs --nats-url [^\n]*\n$/],
  [["--nats-creds", missing], /^tributary: --nats-creds is used only with --storage nats\n$/],
  [["--storage", "nats", "--nats-url", "nats://127.0.0.1:1", "--nats-creds", missing], /^tributary: cannot read the NATS credentials file \/nonexistent\/tributary-option-errors: ENOENT[^\n]*\n$/],
  [["--credentials-file", missing], /^tributary: --credentials-file is used only with --auth sigv4\n$/],
  [["--auth", "sigv4", "--credentials-file", missing], /^tributary: cannot read the credentials file \/nonexistent\/tributary-option-errors: [^\n]*\n$/],
  [["--s3-access-key-id", "AKID"], /^tributary: --s3-access-key-id and TRIBUTARY_S3_SECRET_ACCESS_KEY are used only with --s3-endpoint\n$/],
  [["--s3-endpoint", "http://127.0.0.1:9"], /^tributary: --s3-endpoint needs --s3-access-key-id and TRIBUTARY_S3_SECRET_ACCESS_KEY\n$/],
  [
    ["--host", "0.0.0.0", "--allow-unauthenticated"],
    /^tributary: refusing to run Lambda functions \(arbitrary code, as this server's user\) for unauthenticated callers on 0\.0\.0\.0: pass --functions off to serve without them, or --functions on to run them anyway\n$/,
  ],
];

function assertOneLineError(result: { code: number | null; stdout: string; stderr: string }, expected: string | RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, "");
  if (typeof expected === "string") assert.equal(result.stderr, `tributary: ${expected}\n`);
  else assert.match(result.stderr, expected);
  assert.doesNotMatch(result.stderr, /\n {4}at /, "no stack trace");
}

describe("cli > server > option errors", { concurrency: 4 }, () => {
  it("cli > server > option errors > every checked option has a wording of what is valid", () => {
    const free = new Set(["init", "faults", "master-key-file", "tls-cert", "tls-key", "credentials-file", "s3-access-key-id", "nats-creds", "nats-tls-ca", "firehose-ca-file"]);
    for (const spec of serverOptions) {
      if (free.has(spec.flag)) assert.equal(spec.allowed, undefined, spec.flag);
      else assert.ok(spec.allowed !== undefined && spec.allowed !== spec.description, `--${spec.flag} says what is valid`);
    }
    const covered = new Set(badValues.map(([flag]) => flag));
    for (const spec of serverOptions) if (!free.has(spec.flag)) assert.ok(covered.has(spec.flag), `--${spec.flag} has a bad value below`);
  });

  for (const [flag, value, message] of badValues) {
    const spec = serverOptions.find((candidate) => candidate.flag === flag)!;
    // A switch takes its value after "=" on the command line; `--flag value` would make value a stray argument.
    const args = spec.boolean ? [`--${flag}=${value}`] : [`--${flag}`, value];
    it(`cli > server > option errors > ${args.join(" ")} exits 2 and says what is valid`, async () => {
      assertOneLineError(await runCli(["server", ...args]), message.replace("{}", `--${flag}`));
    });
    it(`cli > server > option errors > ${envName(flag)}=${value} exits 2 and says what is valid`, async () => {
      assertOneLineError(await runCli(["server"], { [envName(flag)]: value }), message.replace("{}", envName(flag)));
    });
  }

  for (const [args, expected] of badFiles) {
    it(`cli > server > option errors > ${args.join(" ")} exits 2 with one line`, async () => {
      assertOneLineError(await runCli(["server", ...args]), expected);
    });
  }

  it("cli > server > option errors > --port=-1 and --port -1 are the same bad port, not an unknown option", async () => {
    assertOneLineError(await runCli(["server", "--port=-1"]), "--port must be an integer from 0 to 65535, got -1");
  });

  it("cli > server > option errors > an option without its value says what the value must be", async () => {
    assertOneLineError(await runCli(["server", "--port"]), "--port needs a value: an integer from 0 to 65535");
    assertOneLineError(await runCli(["server", "--storage", "--port", "0"]), "--storage needs a value: one of embedded, memory, nats");
  });

  it("cli > server > option errors > a value from a file that is not a host is quoted so the line stays one line", async () => {
    assertOneLineError(await runCli(["server", "--host", "a\nb"]), '--host must be a host name or IP address (letters, digits and . : _ -), got "a\\nb"');
  });

  it("cli > server > option errors > an unknown option or a stray argument prints the help after the reason", async () => {
    const unknown = await runCli(["server", "--port", "0", "-x"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^tributary: Unknown option '-x'\n\nUsage: tributary server \[options\]\n/);
    const stray = await runCli(["server", "now"]);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /^tributary: unexpected argument 'now': options start with --\n\nUsage: tributary server/);
  });

  it("cli > server > option errors > --help lines up every description in one column", async () => {
    const result = await runCli(["server", "--help"]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split("\n");
    const rows = lines.filter((line) => /^ {2}(--|-h|TRIBUTARY_)/.test(line));
    assert.equal(rows.length, serverOptions.length + 3, "every option, -h, TRIBUTARY_MASTER_KEY and TRIBUTARY_S3_SECRET_ACCESS_KEY");
    // A variable name wider than the column stands alone, its text on the next line in the column;
    // the column is as wide as the longest option's name, so whether it is wider depends on the options.
    const wide = lines.indexOf("  TRIBUTARY_S3_SECRET_ACCESS_KEY");
    if (wide > 0) assert.match(lines[wide + 1]!, /^ +the secret access key/);
    else assert.ok(lines.some((line) => /^ {2}TRIBUTARY_S3_SECRET_ACCESS_KEY +the secret access key/.test(line)), result.stdout);
    const aligned = wide > 0 ? [...rows.filter((line) => line !== lines[wide]), lines[wide + 1]!] : rows;
    const columns = new Set(aligned.map((line) => /^ {2}(?:-h, --help|\S+(?: <value>)?) +|^ +/.exec(line)![0].length));
    assert.equal(columns.size, 1, `descriptions start in one column:\n${rows.join("\n")}`);
    const longest = Math.max(...serverOptions.map((spec) => `  --${spec.flag}${spec.boolean ? "" : " <value>"}`.length));
    assert.equal([...columns][0], longest + 2);
  });

  it("cli > server > option errors > a bad init file stops the start with one line, exit 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-option-errors-"));
    try {
      const path = join(dir, "init.json");
      writeFileSync(path, "{ not json");
      assertOneLineError(await runCli(["server", "--port", "0", "--init", path]), new RegExp(`^tributary: the init file ${path} is not JSON: [^\\n]+\\n$`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
