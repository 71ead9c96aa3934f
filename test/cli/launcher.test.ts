/**
 * bin/tributary, the command npm installs: a sh launcher that sets glibc's mmap threshold and V8's
 * young generation size, then execs Node on the build (so `npm ci`, which builds dist/, must have
 * run).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot, startCliServer, type CliServer } from "./cli-process.js";
import { jsonCall } from "../helpers/raw.js";

const run = promisify(execFile);

function environOf(pid: number): Map<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter((entry) => entry.includes("="));
  return new Map(entries.map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
}

describe("bin/tributary", () => {
  let server: CliServer;
  let tuned: CliServer;
  before(async () => {
    server = await startCliServer({ launcher: true, args: ["--port", "0", "--storage", "memory"], env: { MALLOC_MMAP_THRESHOLD_: "", NODE_OPTIONS: "" } });
    tuned = await startCliServer({
      launcher: true,
      args: ["--port", "0", "--storage", "memory"],
      env: { MALLOC_MMAP_THRESHOLD_: "262144", NODE_OPTIONS: "--max-semi-space-size=4" },
    });
  });
  after(async () => {
    await server?.stop();
    await tuned?.stop();
  });

  it("bin/tributary > becomes the Node server itself (exec), which answers Kinesis calls", async () => {
    // The pid spawned is the server: sh replaced itself, no wrapper process stays behind.
    assert.match(readFileSync(`/proc/${server.child.pid}/cmdline`, "utf8"), /node\0--max-semi-space-size=8\0.*bin\/tributary\.js\0server\0/);
    const listed = await jsonCall(server.url, "ListStreams", {});
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(listed.body, { StreamNames: [], HasMoreStreams: false, StreamSummaries: [] });
  });

  it("bin/tributary > fixes glibc's mmap threshold at 128 KiB when the environment sets none", () => {
    assert.equal(environOf(server.child.pid!).get("MALLOC_MMAP_THRESHOLD_"), "131072");
  });

  it("bin/tributary > keeps a threshold the environment already sets", () => {
    assert.equal(environOf(tuned.child.pid!).get("MALLOC_MMAP_THRESHOLD_"), "262144");
  });

  it("bin/tributary > leaves the young generation to NODE_OPTIONS when it sizes it", () => {
    const cmdline = readFileSync(`/proc/${tuned.child.pid}/cmdline`, "utf8");
    assert.doesNotMatch(cmdline, /max-semi-space-size/);
    assert.match(cmdline, /bin\/tributary\.js\0server\0/);
  });

  it("bin/tributary > a graceful stop still exits 0 (signals reach Node directly)", async () => {
    const outcome = await tuned.stop("SIGTERM");
    assert.deepEqual(outcome, { code: 0, signal: null });
  });

  it("bin/tributary > works through a symlink, as npm links it into node_modules/.bin", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-bin-"));
    try {
      symlinkSync(join(repoRoot, "bin/tributary"), join(dir, "tributary"));
      const { stdout } = await run(join(dir, "tributary"), ["--version"]);
      const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
      assert.equal(stdout.trim(), version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
