/**
 * `tributary server` given a data directory it cannot use, through the real command: one line on
 * stderr saying what is in the way, exit code 2, and never a hang (Node's recursive mkdir loops
 * forever under /proc). The tests may run as root, for whom every directory is writable: a
 * non-writable parent is made real by running the command as `nobody` when we are root (a plain
 * 0555 directory otherwise), and by /sys, which refuses even root.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, runCli, startCliServer, type CliResult } from "./cli-process.js";

/** A command that hangs is a failure here, not a timeout of the whole file: well under runCli's 30 s. */
const exitWithinMs = 20_000;

const scratch = mkdtempSync(join(tmpdir(), "tributary-data-dir-errors-"));
chmodSync(scratch, 0o755);
after(() => rmSync(scratch, { recursive: true, force: true }));

async function serverWith(dataDir: string, ...args: string[]): Promise<CliResult & { elapsedMs: number }> {
  const startedMs = performance.now();
  const result = await runCli(["server", "--port", "0", "--data-dir", dataDir, ...args]);
  return { ...result, elapsedMs: performance.now() - startedMs };
}

function assertRefused(result: CliResult & { elapsedMs: number }, line: string | RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, "");
  if (typeof line === "string") assert.equal(result.stderr, `tributary: ${line}\n`);
  else assert.match(result.stderr, line);
  assert.ok(result.elapsedMs < exitWithinMs, `took ${Math.round(result.elapsedMs)} ms`);
}

describe("cli > data directory errors", () => {
  it("cli > data directory errors > a data directory that is a file", async () => {
    const file = join(scratch, "a-file");
    writeFileSync(file, "not a directory\n");
    assertRefused(await serverWith(file), `the data directory ${file} is a file, not a directory`);
  });

  it("cli > data directory errors > a data directory whose parent is a file", async () => {
    const file = join(scratch, "parent-file");
    writeFileSync(file, "");
    assertRefused(await serverWith(join(file, "data")), `cannot create the data directory ${file}/data: ${file} is a file, not a directory`);
  });

  it("cli > data directory errors > a data directory under /proc, which holds no directories: refused at once, no mkdir loop", async () => {
    assertRefused(await serverWith("/proc/tributary-test/data"), "cannot create the data directory /proc/tributary-test/data: /proc does not allow creating /proc/tributary-test (ENOENT)");
    // The self-signed TLS pair is made in the data directory first: same bound, same single line.
    assertRefused(
      await serverWith("/proc/tributary-test", "--tls"),
      "cannot set up the self-signed TLS certificate in /proc/tributary-test: ENOENT: no such file or directory, mkdir '/proc/tributary-test'",
    );
  });

  it("cli > data directory errors > an existing directory where nothing may be created", async () => {
    assertRefused(await serverWith("/proc/self"), "cannot lock the data directory /proc/self: creating /proc/self/lock: permission denied (EACCES)");
  });

  it("cli > data directory errors > a parent that refuses even root (/sys)", { skip: existsSync("/sys/kernel") ? false : "no sysfs mounted here" }, async () => {
    assertRefused(
      await serverWith("/sys/tributary-test"),
      /^tributary: cannot create the data directory \/sys\/tributary-test: creating \/sys\/tributary-test: (permission denied \((EPERM|EACCES)\)|read-only file system \(EROFS\))\n$/,
    );
  });

  it("cli > data directory errors > a parent the user may not write", async () => {
    const parent = join(scratch, "read-only-parent");
    mkdirSync(parent, { mode: 0o555 });
    chmodSync(parent, 0o555);
    const asRoot = process.getuid?.() === 0;
    // Root writes anywhere, so as root the command runs as nobody (uid/gid 65534) instead.
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "server", "--port", "0", "--data-dir", join(parent, "data")], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "", HOME: scratch },
      ...(asRoot && { uid: 65534, gid: 65534 }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const startedMs = performance.now();
    const timer = setTimeout(() => child.kill("SIGKILL"), exitWithinMs);
    const code = await new Promise<number | null>((resolve) => child.on("close", (exitCode) => resolve(exitCode)));
    clearTimeout(timer);
    assertRefused(
      { code, signal: null, stdout, stderr, elapsedMs: performance.now() - startedMs },
      `cannot create the data directory ${parent}/data: creating ${parent}/data: permission denied (EACCES)`,
    );
  });

  it("cli > data directory errors > a second live server on the same directory is refused, naming the first", async () => {
    const dataDir = join(scratch, "shared");
    const first = await startCliServer({ dataDir, args: ["--port", "0"] });
    try {
      assertRefused(await serverWith(dataDir), `${dataDir} is in use by another Tributary server (pid ${first.child.pid})`);
      // Still serving: the refusal took nothing from it.
      const health = await fetch(`${first.url}/health`);
      assert.equal(health.status, 200);
    } finally {
      assert.deepEqual(await first.stop(), { code: 0, signal: null });
    }
    // Stopped cleanly: the directory is free again, and no socket file is left behind.
    assert.equal(existsSync(join(dataDir, "lock")), false);
    const second = await startCliServer({ dataDir, args: ["--port", "0"] });
    assert.deepEqual(await second.stop(), { code: 0, signal: null });
  });
});
