/**
 * bin/tributary, the command npm installs: a sh launcher that sets glibc's mmap threshold and V8's
 * young generation size, then execs Node on the build (so `npm ci`, which builds dist/, must have
 * run). And every documented way of running the server — `npm start`, `npx tributary server`,
 * `bin/tributary`, `node bin/tributary.js` — stops with SIGTERM/SIGINT sent to the command
 * started, leaving no process, the port free and the data directory unlocked.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot, startCliServer, type CliServer } from "./cli-process.js";
import { freePort, groupMembers, portIsFree, startGroupServer, type LaunchPath } from "./process-group.js";
import { jsonCall } from "../helpers/raw.js";
import { lockDataDir } from "../../src/storage/embedded/dir-lock.js";
import { waitFor } from "../helpers/wait.js";

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

/** The /proc/<pid>/stat field after the command name: state, then ppid. */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

function serverPidIn(pgid: number): number {
  const node = groupMembers(pgid).find((member) => / node$/.test(member));
  assert.ok(node !== undefined, `no node process in group ${pgid}: ${groupMembers(pgid).join(", ")}`);
  return Number(node.split(" ")[0]);
}

describe("stopping the server the documented ways", () => {
  // `to`: the command started alone (`kill <pid>`, a supervisor's stop), or its whole process
  // group (a terminal's Ctrl-C). SIGINT to npx alone is not here: npm passes it to `sh -c`, which
  // waits for its child as shells do for SIGINT, so the server never sees it (docs say so).
  const cases: { path: LaunchPath; signal: NodeJS.Signals; to: "command" | "group" }[] = [
    { path: "npm start", signal: "SIGTERM", to: "command" },
    { path: "npm start", signal: "SIGINT", to: "command" },
    { path: "npx", signal: "SIGTERM", to: "command" },
    { path: "npx", signal: "SIGINT", to: "group" },
    { path: "bin/tributary", signal: "SIGTERM", to: "command" },
    { path: "node bin/tributary.js", signal: "SIGTERM", to: "command" },
  ];
  for (const { path, signal, to } of cases) {
    it(`stopping > ${signal} to \`${path}\`${to === "group" ? "'s process group" : ""} stops the server: no process left, port and data directory free`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "tributary-stop-"));
      const port = await freePort();
      const server = startGroupServer(path, ["--port", String(port), "--data-dir", dataDir]);
      try {
        const url = await server.ready;
        assert.equal(url, `http://127.0.0.1:${port}`);
        const serverPid = serverPidIn(server.pgid);
        if (path === "npm start") assert.equal(parentOf(serverPid), server.pgid, "npm start's script execs: Node is npm's own child, which npm signals");
        if (path === "bin/tributary" || path === "node bin/tributary.js") assert.equal(serverPid, server.pgid, "the command started is the server itself");

        process.kill(to === "group" ? -server.pgid : server.pgid, signal);
        const exit = await server.exited;
        await waitFor(`every process of \`${path}\` gone`, () => groupMembers(server.pgid).length === 0);
        assert.equal(await portIsFree(port), true, `port ${port} is free`);
        // A graceful stop: the server closed its storage, which removes the lock's socket file.
        assert.equal(existsSync(join(dataDir, "lock")), false, `the lock's socket file is removed (exit ${JSON.stringify(exit)}; stderr: ${server.stderr()})`);
        const lock = await lockDataDir(dataDir);
        await lock.release();
        assert.match(server.stderr(), new RegExp(`"signal":"(${signal}|parent exited)","msg":"stopping: finishing in-flight requests"`));
      } finally {
        for (const member of groupMembers(server.pgid)) process.kill(Number(member.split(" ")[0]), "SIGKILL");
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
