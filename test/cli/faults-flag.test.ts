/**
 * `tributary server --faults FILE` / TRIBUTARY_FAULTS: the rules file is read and checked at
 * start; its rules are in force from the first call; a bad file stops the server before it
 * listens, with the reason and exit code 2.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envName, serverOptions } from "../../src/cli/server-options.js";
import { jsonCall, rawRequest } from "../helpers/raw.js";
import { runCli, startCliServer } from "./cli-process.js";

let directory: string;

function rulesFile(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

before(() => {
  directory = mkdtempSync(join(tmpdir(), "tributary-faults-"));
});

after(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe("cli > server > --faults", { concurrency: 3 }, () => {
  it("cli > server > --faults > is listed in --help with its environment variable", async () => {
    const spec = serverOptions.find((candidate) => candidate.flag === "faults");
    assert.ok(spec, "no --faults option");
    assert.equal(envName(spec.flag), "TRIBUTARY_FAULTS");
    const result = await runCli(["server", "--help"]);
    assert.equal(result.code, 0, result.stderr);
    const line = result.stdout.split("\n").find((candidate) => candidate.startsWith("  --faults <value>"));
    // The name column is as wide as the longest option's name: compare with its padding as two spaces.
    assert.equal(line?.replace(/^( {2}\S+(?: <value>)?) +/, "$1  "), "  --faults <value>  JSON file of fault injection rules (default none; env TRIBUTARY_FAULTS)");
  });

  it("cli > server > --faults > installs the file's rules at start", async () => {
    const rules = { seed: 5, rules: [{ action: "ListStreams", fault: "throttle", schedule: { calls: [1] } }] };
    const path = rulesFile("flag.json", JSON.stringify(rules));
    const server = await startCliServer({ args: ["--port", "0", "--faults", path] });
    try {
      const first = await jsonCall(server.url, "ListStreams", {});
      assert.equal(first.statusCode, 400);
      assert.deepEqual(first.body, { __type: "LimitExceededException", message: "Rate exceeded for account 000000000000." });
      assert.equal((await jsonCall(server.url, "ListStreams", {})).statusCode, 200);
      const snapshot = await rawRequest(server.url, "", { method: "GET", path: "/_tributary/faults" });
      assert.deepEqual(snapshot.body, { config: rules, counters: [{ matchedCalls: 2, injectedCalls: 1 }] });
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null });
    }
  });

  it("cli > server > --faults > TRIBUTARY_FAULTS names the file when the flag is absent", async () => {
    const path = rulesFile("env.json", JSON.stringify({ rules: [{ action: "DescribeLimits", fault: "internal-failure" }] }));
    const server = await startCliServer({ args: ["--port", "0"], env: { TRIBUTARY_FAULTS: path } });
    try {
      const response = await jsonCall(server.url, "DescribeLimits", {});
      assert.equal(response.statusCode, 500);
      assert.deepEqual(response.body, {
        __type: "InternalFailure",
        message: "The request processing has failed because of an unknown error, exception or failure.",
      });
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null });
    }
  });

  it("cli > server > --faults > a file with a bad rule stops the start with where and why", async () => {
    const path = rulesFile("bad-rule.json", JSON.stringify({ rules: [{ action: "PutRecords", fault: "slow" }] }));
    const result = await runCli(["server", "--port", "0", "--faults", path]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `tributary: invalid fault rules in ${path}: rules[0].fault: expected one of throttle, internal-failure, service-unavailable, latency, partial-failure, got "slow"\n`,
    );
    assert.equal(result.stdout, "");
  });

  it("cli > server > --faults > a file that is not JSON stops the start", async () => {
    const path = rulesFile("not-json.json", "rules: []\n");
    const result = await runCli(["server", "--port", "0"], { TRIBUTARY_FAULTS: path });
    assert.equal(result.code, 2);
    assert.ok(result.stderr.startsWith(`tributary: invalid fault rules in ${path}: not valid JSON: `), result.stderr);
    assert.equal(result.stdout, "");
  });

  it("cli > server > --faults > a missing file stops the start", async () => {
    const path = join(directory, "missing.json");
    const result = await runCli(["server", "--port", "0", "--faults", path]);
    assert.equal(result.code, 2);
    assert.ok(result.stderr.startsWith(`tributary: cannot read the fault rules file ${path}: ENOENT`), result.stderr);
    assert.equal(result.stdout, "");
  });
});
