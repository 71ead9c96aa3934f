/**
 * The docs harness itself (document.ts): it fails examples that fail, in every language, carries
 * a reader's exported environment from block to block, rewrites the port, resolves the package's
 * own name to its sources, serves a section from a server example and stops it, and rejects
 * directives and languages it does not know. The last test runs the README's SDK example as it
 * was before issue 13 (no waiter) and sees it fail, as a new user did.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { baseEnvironment, makeBinDir, repoRoot, runDocument } from "./document.js";
import { extractBlocks } from "./extract.js";

const tempRoot = mkdtempSync(join(tmpdir(), "tributary-docs-harness-"));
after(() => rmSync(tempRoot, { recursive: true, force: true }));
const env = {
  ...baseEnvironment(makeBinDir(tempRoot)),
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  AWS_REGION: "us-east-1",
  AWS_DEFAULT_REGION: "us-east-1",
};
const packageName = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { name: string }).name;

interface Outcome {
  name: string;
  ok: boolean;
  skipped?: string;
  message?: string;
}

async function outcomes(markdown: string): Promise<Map<number, Outcome>> {
  const results = new Map<number, Outcome>();
  await runDocument("fixture.md", markdown, { env, timeoutMs: 30_000 }, async (step, run) => {
    if (step.skip !== undefined) {
      results.set(step.block.line, { name: step.name, ok: true, skipped: step.skip });
      return;
    }
    try {
      await run();
      results.set(step.block.line, { name: step.name, ok: true });
    } catch (error) {
      results.set(step.block.line, { name: step.name, ok: false, message: (error as Error).message });
    }
  });
  return results;
}

/** The line of the fence that opens the block containing `marker`. */
function lineOf(markdown: string, marker: string): number {
  const block = extractBlocks("fixture.md", markdown).find((candidate) => candidate.code.includes(marker));
  assert.ok(block, `no block contains ${marker}`);
  return block.line;
}

it("extractBlocks: fences, indentation, info strings, stacked directives and sections", () => {
  const markdown = [
    "# Title",
    "<!-- example: file a.json -->",
    "<!-- example: stdout-includes x y -->",
    "```json {title}",
    "{}",
    "```",
    "## Next",
    "- item:",
    "  ~~~~Python",
    "  print(1)",
    "  ~~~~",
    "```",
    "diagram",
    "```",
  ].join("\n");
  const blocks = extractBlocks("f.md", markdown);
  assert.deepEqual(
    blocks.map(({ line, language, code, directives, section }) => ({ line, language, code, directives, section })),
    [
      { line: 4, language: "json", code: "{}\n", directives: [{ kind: "file", name: "a.json" }, { kind: "stdout-includes", text: "x y" }], section: 1 },
      { line: 9, language: "python", code: "print(1)\n", directives: [], section: 2 },
      { line: 12, language: "", code: "diagram\n", directives: [], section: 2 },
    ],
  );
});

it("an example that fails fails its subtest, in every language", async () => {
  const markdown = [
    "```sh", "echo fine", "```",
    "```sh", "false", "echo 'set -e stops before this'", "```",
    "```bash", "exit 3", "```",
    "```js", "throw new Error('js-boom');", "```",
    "```ts", "const value: number = 1;", "await Promise.reject(new Error(`ts-boom ${value}`));", "```",
    "```python", "raise SystemExit('python-boom')", "```",
    "<!-- example: stdout-includes never-printed -->",
    "```sh", "echo something-else", "```",
    "```json", "{ not json }", "```",
    "```shell", "echo unknown-language", "```",
    "<!-- example: skip -->",
    "```sh", "echo skip-without-reason", "```",
    "<!-- example: run it twice -->",
    "```sh", "echo unknown-directive", "```",
    "<!-- example: skip — shown, not run -->",
    "```sh", "exit 1 # skipped-with-reason", "```",
  ].join("\n");
  const results = await outcomes(markdown);
  const at = (marker: string) => results.get(lineOf(markdown, marker))!;
  assert.equal(at("echo fine").ok, true);
  for (const marker of ["set -e stops", "exit 3", "js-boom", "ts-boom", "python-boom", "something-else", "not json", "unknown-language", "skip-without-reason", "unknown-directive"]) {
    assert.equal(at(marker).ok, false, `the block with ${marker} passed`);
  }
  assert.match(at("js-boom").message!, /js-boom/);
  assert.match(at("python-boom").message!, /python-boom/);
  assert.match(at("something-else").message!, /stdout lacks "never-printed"/);
  assert.match(at("unknown-language").message!, /fence language "shell"/);
  assert.match(at("skip-without-reason").message!, /a skip needs a reason/);
  assert.match(at("unknown-directive").message!, /unknown example directive "run it twice"/);
  assert.equal(at("skipped-with-reason").skipped, "shown, not run");
});

it("exported variables carry to later blocks of every language; 4567 becomes the block's server; the package's own name resolves to src/", async () => {
  const markdown = [
    "```sh", "export GREETING=hello-from-sh", "LOCAL_ONLY=not-exported", "```",
    "```js",
    "if (process.env.GREETING !== 'hello-from-sh') throw new Error(`GREETING=${process.env.GREETING}`);",
    "if (process.env.LOCAL_ONLY !== undefined) throw new Error('a shell variable that was not exported carried over');",
    "const health = await fetch('http://127.0.0.1:4567/health');",
    "if (health.status !== 200) throw new Error(`health ${health.status}`);",
    "```",
    "```python",
    "import os, urllib.request",
    "assert os.environ['GREETING'] == 'hello-from-sh'",
    "assert urllib.request.urlopen('http://127.0.0.1:4567/health').status == 200",
    "```",
    "```ts",
    `import { Producer } from "${packageName}/client";`,
    `const resolved: string = import.meta.resolve("${packageName}/client");`,
    "if (!resolved.endsWith('/src/client/index.ts') || typeof Producer !== 'function') throw new Error(`resolved to ${resolved}`);",
    "```",
  ].join("\n");
  const results = await outcomes(markdown);
  assert.deepEqual([...results.values()].filter((outcome) => !outcome.ok), []);
  assert.equal(results.size, 4);
});

it("a server example serves the rest of its section and is stopped at the section's end", async () => {
  const portFile = join(tempRoot, "section-port");
  const target = "-H 'X-Amz-Target: Kinesis_20131202.ListStreams' -H 'Content-Type: application/x-amz-json-1.1' -d '{}' http://127.0.0.1:4567/";
  const markdown = [
    "## With a server",
    "<!-- example: server -->",
    "```sh", "tributary server --storage memory --create-stream-ms 0", "```",
    "```sh",
    "curl -sf -H 'X-Amz-Target: Kinesis_20131202.CreateStream' -H 'Content-Type: application/x-amz-json-1.1' \\",
    "  -d '{\"StreamName\":\"kept\",\"ShardCount\":1}' http://127.0.0.1:4567/",
    "```",
    "```sh", `curl -sf ${target} | grep '"kept"'`, `echo 4567 > ${portFile}`, "```",
    "## Next section",
    "```sh", `if curl -sf ${target} | grep '"kept"'; then exit 1; fi # a fresh server`, "```",
    "<!-- example: server -->",
    "```sh", "exit 2 # never-healthy", "```",
  ].join("\n");
  const results = await outcomes(markdown);
  const failed = [...results.values()].filter((outcome) => !outcome.ok);
  assert.equal(failed.length, 1, JSON.stringify(failed));
  assert.equal(failed[0]!.name, `fixture.md:${lineOf(markdown, "never-healthy")}`);
  assert.match(failed[0]!.message!, /exited \(code 2/);
  const port = Number(readFileSync(portFile, "utf8").trim());
  assert.ok(port > 0 && port !== 4567);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/health`), "the section's server still answers after its section");
});

it("the README's SDK example as it was before the waiter fails: it writes to a stream that is still CREATING", async () => {
  const markdown = [
    "```js",
    'import { KinesisClient, CreateStreamCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";',
    "",
    'const kinesis = new KinesisClient({ endpoint: "http://127.0.0.1:4567" });',
    'await kinesis.send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 2 }));',
    'await kinesis.send(new PutRecordCommand({ StreamName: "orders", PartitionKey: "customer-1", Data: Buffer.from("hello") }));',
    "```",
  ].join("\n");
  const [outcome] = [...(await outcomes(markdown)).values()];
  assert.equal(outcome!.ok, false);
  assert.match(outcome!.message!, /ResourceNotFoundException: Stream orders under account \d+ not found/);
});
