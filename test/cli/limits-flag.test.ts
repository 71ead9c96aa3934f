/**
 * `tributary server --limits aws|off` / TRIBUTARY_LIMITS (docs/limits.md): AWS's limits by default,
 * none with `off`; the flag wins over the environment; a bad value stops the start.
 *
 * The real server runs on the real clock, so each case uses the one limit no test run can miss:
 * DescribeLimits' one call a second per account, with three calls sent at once.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { envName, serverOptions } from "../../src/cli/server-options.js";
import { jsonCall } from "../helpers/raw.js";
import { runCli, startCliServer, type CliServer } from "./cli-process.js";

const throttled = { __type: "LimitExceededException", message: "Rate exceeded for account 000000000000." };

/** Three DescribeLimits at once: the HTTP status of each, sorted. */
async function threeAtOnce(server: CliServer): Promise<{ statuses: number[]; errors: unknown[] }> {
  const responses = await Promise.all([0, 1, 2].map(() => jsonCall(server.url, "DescribeLimits", {})));
  return {
    statuses: responses.map((response) => response.statusCode).sort(),
    errors: responses.filter((response) => response.statusCode !== 200).map((response) => response.body),
  };
}

async function withServer(args: readonly string[], env: Record<string, string>, check: (server: CliServer) => Promise<void>): Promise<void> {
  const server = await startCliServer({ args: ["--port", "0", ...args], env });
  try {
    await check(server);
  } finally {
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
  }
}

describe("cli > server > --limits", { concurrency: 3 }, () => {
  it("cli > server > --limits > is listed in --help with its default and environment variable", async () => {
    const spec = serverOptions.find((candidate) => candidate.flag === "limits");
    assert.ok(spec, "no --limits option");
    assert.equal(envName(spec.flag), "TRIBUTARY_LIMITS");
    const result = await runCli(["server", "--help"]);
    assert.equal(result.code, 0, result.stderr);
    const line = result.stdout.split("\n").find((candidate) => candidate.startsWith("  --limits <value>"));
    // The name column is as wide as the longest option's name: compare with its padding as two spaces.
    assert.equal(line?.replace(/^( {2}\S+(?: <value>)?) +/, "$1  "), "  --limits <value>  throughput and API rate limits: aws (as AWS enforces them) or off (default aws; env TRIBUTARY_LIMITS)");
  });

  it("cli > server > --limits > enforces AWS's limits by default", () =>
    withServer([], {}, async (server) => {
      const { statuses, errors } = await threeAtOnce(server);
      assert.deepEqual(statuses, [200, 400, 400]);
      assert.deepEqual(errors, [throttled, throttled]);
    }));

  it("cli > server > --limits > off removes them, and TRIBUTARY_LIMITS=off does the same", async () => {
    await withServer(["--limits", "off"], {}, async (server) => assert.deepEqual((await threeAtOnce(server)).statuses, [200, 200, 200]));
    await withServer([], { TRIBUTARY_LIMITS: "off" }, async (server) => assert.deepEqual((await threeAtOnce(server)).statuses, [200, 200, 200]));
  });

  it("cli > server > --limits > the flag wins over TRIBUTARY_LIMITS", () =>
    withServer(["--limits", "aws"], { TRIBUTARY_LIMITS: "off" }, async (server) => assert.deepEqual((await threeAtOnce(server)).statuses, [200, 400, 400])));

  it("cli > server > --limits > a bad value stops the start and says which", async () => {
    const flag = await runCli(["server", "--port", "0", "--limits", "none"]);
    assert.equal(flag.code, 2);
    assert.equal(flag.stderr, "tributary: --limits must be one of aws, off, got none\n");
    const env = await runCli(["server", "--port", "0"], { TRIBUTARY_LIMITS: "AWS" });
    assert.equal(env.code, 2);
    assert.equal(env.stderr, "tributary: TRIBUTARY_LIMITS must be one of aws, off, got AWS\n");
  });
});
