/**
 * Every example in README.md and docs/**\/*.md runs, verbatim, as its own subtest named
 * `<file>:<line of the opening fence>`.
 *
 * What runs: fenced blocks whose info string starts with `sh` or `bash` (run by /bin/sh or bash
 * with `set -e`, so any failing command fails the example), `js` (an ES module run by node),
 * `ts` (an ES module run by node through tsx) and `python` (/usr/bin/python3, with boto3). An
 * example fails when it exits non-zero, throws, or runs past 90 s. `json` blocks must parse, and so must `sql` blocks (Analytics application code, by the
 * service dialect's parser, src/analytics/sql/parser.ts).
 * `text`, `console`, `properties`, `ini`, `dockerfile`, `yaml` and untagged blocks are data or
 * output and are not run; any other language fails, so an example cannot slip past by its tag.
 *
 * Against what: each block gets a fresh server with `tributary server`'s defaults (a new stream
 * is CREATING for 500 ms, AWS's limits on; memory storage) on a free port: every `4567` in the
 * block is rewritten to that port, nothing else. So each example must be self-contained (create
 * the stream it uses).
 *
 * As one reader in one terminal: the blocks of a document run in order, each in the document's
 * own temporary working directory, and the environment a shell block exports carries to every
 * later block of the document (js, ts and python included; shell variables that are not exported
 * do not, nor does `cd`). Every document starts with the environment of the README's credentials
 * block (`export AWS_ACCESS_KEY_ID=…`, found by its content), as a reader who set up as the README
 * says, and `tributary` on PATH (src/cli/main.ts through tsx). `tributary/client` — the package's
 * own name and its package.json "exports" — resolves to the sources in src/ (resolve-hooks.mjs),
 * other packages from the repository's node_modules.
 *
 * Directives, HTML comments on the lines right above a fence (several may stack):
 * - `<!-- example: skip — <reason> -->`: not run; the subtest is reported as skipped with the reason.
 * - `<!-- example: server -->`: a block that starts a long-running server. It runs with
 *   TRIBUTARY_PORT set to a free port (and `4567` rewritten to it); it passes once GET /health
 *   answers 200. That server then serves the following blocks of its section (up to the next
 *   heading) instead of a fresh one, as a server started in another terminal would; at the end of
 *   the section it is stopped with SIGTERM (the whole process group).
 * - `<!-- example: file <name> -->` on a data block (json, properties, text, …): its text is
 *   written to <name> in the working directory, for later blocks to use (`--faults faults.json`).
 * - `<!-- example: stdout-includes <text> -->`: the block's stdout must contain <text> (an example
 *   that reads back what it wrote proves it, not only that it exited 0).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { extractBlocks } from "./extract.js";
import { baseEnvironment, makeBinDir, repoRoot, runDocument } from "./document.js";

const documents = [
  "README.md",
  ...readdirSync(join(repoRoot, "docs"), { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".md"))
    .map((path) => `docs/${path}`)
    .sort(),
];

const tempRoot = mkdtempSync(join(tmpdir(), "tributary-docs-bin-"));
after(() => rmSync(tempRoot, { recursive: true, force: true }));
const baseEnv = baseEnvironment(makeBinDir(tempRoot));

/** What the README's credentials block exports, run as it is written. */
function readmeCredentials(): Record<string, string> {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const block = extractBlocks("README.md", readme).find((candidate) => candidate.language === "sh" && /export AWS_ACCESS_KEY_ID=/.test(candidate.code));
  assert.ok(block, "README.md has no sh block that exports AWS_ACCESS_KEY_ID");
  const dump = execFileSync("/bin/sh", ["-ec", `${block.code}\nenv -0`], { env: {}, encoding: "utf8" });
  const exported: Record<string, string> = {};
  for (const entry of dump.split("\0")) {
    const equals = entry.indexOf("=");
    const name = entry.slice(0, equals);
    if (equals > 0 && name.startsWith("AWS_")) exported[name] = entry.slice(equals + 1);
  }
  return exported;
}

it("the README's credentials block exports the access key, secret and region", () => {
  const exported = readmeCredentials();
  for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"]) {
    assert.ok(exported[name], `README.md's credentials block does not export ${name}`);
  }
});

for (const document of documents) {
  it(document, async (t) => {
    const markdown = readFileSync(join(repoRoot, document), "utf8");
    const env = document === "README.md" ? baseEnv : { ...baseEnv, ...readmeCredentials() };
    await runDocument(document, markdown, { env }, async (step, run) => {
      await t.test(step.name, step.skip !== undefined ? { skip: step.skip } : {}, run);
    });
  });
}
