/**
 * The data-directory lock (src/storage/embedded/dir-lock.ts) with real processes: the kernel frees it the
 * moment its holder dies, even while the holder is a zombie, a second live holder is refused and
 * named, and simultaneous starts let exactly one through.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "../helpers/wait.js";
import { lockDataDir } from "../../src/storage/embedded/dir-lock.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const holderScript = fileURLToPath(new URL("./dir-lock-holder.ts", import.meta.url));
/** Generous: each holder compiles through tsx on a shared, busy machine. */
const holderAnswerTimeoutMs = 30_000;

const scratch = mkdtempSync(join(tmpdir(), "tributary-dir-lock-"));
const started: ChildProcess[] = [];
after(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(scratch, { recursive: true, force: true });
});

let dirCount = 0;
function freshDir(): string {
  const dir = join(scratch, `d${dirCount++}`);
  mkdirSync(dir);
  return dir;
}

interface Holder {
  child: ChildProcess;
  /** Resolves when the holder printed "ready" (--on-go). */
  ready: Promise<void>;
  /** The line the holder printed about the lock: "held <pid>" or "refused <message>". */
  answer: Promise<string>;
}

function startHolder(command: string, args: string[]): Holder {
  const child = spawn(command, args, { cwd: repoRoot, stdio: ["pipe", "pipe", "inherit"] });
  started.push(child);
  let text = "";
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  child.stdout!.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
    const parts = text.split("\n");
    text = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.filter((candidate) => candidate.match(line))) waiter.resolve(line);
    }
  });
  const lineMatching = (match: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find(match);
      if (seen !== undefined) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`holder printed no such line within ${holderAnswerTimeoutMs} ms: ${lines.join(" | ")}`)), holderAnswerTimeoutMs);
      waiters.push({ match, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      child.on("exit", () => (clearTimeout(timer), reject(new Error(`holder exited: ${lines.join(" | ")}`))));
    });
  const answer = lineMatching((line) => line.startsWith("held ") || line.startsWith("refused "));
  const ready = lineMatching((line) => line === "ready").then(() => undefined);
  answer.catch(() => undefined);
  ready.catch(() => undefined);
  return { child, ready, answer };
}

function holder(dataDir: string, ...flags: string[]): Holder {
  return startHolder(process.execPath, ["--import", "tsx", holderScript, dataDir, ...flags]);
}

/** The state letter of /proc/<pid>/stat: R, S, Z… (undefined once the process is reaped). */
function processState(pid: number): string | undefined {
  try {
    return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

describe("storage > data-directory lock", () => {
  it("storage > data-directory lock > refuses a second holder in this process, by any path to the directory", async () => {
    const dir = freshDir();
    const lock = await lockDataDir(dir);
    assert.equal(lock.limitation, undefined);
    assert.ok(lstatSync(join(dir, "lock")).isSocket());
    await assert.rejects(lockDataDir(dir), { name: "DataDirError", message: `${dir} is in use by another Tributary server (this process)` });
    const alias = join(scratch, `alias${dirCount}`);
    symlinkSync(dir, alias);
    await assert.rejects(lockDataDir(alias), { name: "DataDirError", message: `${alias} is in use by another Tributary server (this process)` });
    await lock.release();
    assert.equal(existsSync(join(dir, "lock")), false, "release removes the socket file");
    const again = await lockDataDir(alias);
    await again.release();
  });

  it("storage > data-directory lock > refuses while another live process holds it, naming that process", async () => {
    const dir = freshDir();
    const first = holder(dir);
    assert.equal(await first.answer, `held ${first.child.pid}`);
    await assert.rejects(lockDataDir(dir), { name: "DataDirError", message: `${dir} is in use by another Tributary server (pid ${first.child.pid})` });
    const second = holder(dir);
    assert.equal(await second.answer, `refused ${dir} is in use by another Tributary server (pid ${first.child.pid})`);
    first.child.kill("SIGKILL");
    second.child.kill("SIGKILL");
  });

  it("storage > data-directory lock > is free the moment its holder is killed, while the holder is still a zombie", async () => {
    const dir = freshDir();
    // sh starts the holder in the background and becomes `sleep`, which never reaps it: once
    // killed, the holder stays a zombie — what a supervisor's immediate restart can meet.
    const parent = startHolder("sh", ["-c", `"${process.execPath}" --import tsx "${holderScript}" "${dir}" & exec sleep 120`]);
    const answer = await parent.answer;
    const pid = Number(/^held (\d+)$/.exec(answer)?.[1]);
    assert.ok(pid > 0, answer);
    process.kill(pid, "SIGKILL");
    await waitFor("the killed holder becomes a zombie", () => processState(pid) === "Z");
    assert.ok(lstatSync(join(dir, "lock")).isSocket(), "the dead holder's socket file is still there");
    const lock = await lockDataDir(dir);
    assert.equal(processState(pid), "Z", "still a zombie when the lock was taken");
    await lock.release();
    parent.child.kill("SIGKILL");
  });

  it("storage > data-directory lock > replaces the PID file of earlier versions even when its PID is alive (PIDs are reused)", async () => {
    const dir = freshDir();
    writeFileSync(join(dir, "lock"), `${process.pid}\n`);
    const lock = await lockDataDir(dir);
    assert.ok(lstatSync(join(dir, "lock")).isSocket());
    await lock.release();
  });

  it("storage > data-directory lock > lets exactly one of several simultaneous starts through", async () => {
    for (let round = 0; round < 3; round++) {
      const dir = freshDir();
      const racers = Array.from({ length: 4 }, () => holder(dir, "--on-go"));
      // All of them loaded and waiting on stdin; then the same line to each at once.
      await Promise.all(racers.map((racer) => racer.ready));
      await Promise.all(racers.map((racer) => new Promise<void>((resolve) => racer.child.stdin!.write("go\n", () => resolve()))));
      const answers = await Promise.all(racers.map((racer) => racer.answer));
      const winners = answers.filter((answer) => answer.startsWith("held "));
      assert.equal(winners.length, 1, answers.join("\n"));
      const winnerPid = winners[0]!.slice("held ".length);
      for (const answer of answers.filter((answer) => !answer.startsWith("held "))) {
        assert.equal(answer, `refused ${dir} is in use by another Tributary server (pid ${winnerPid})`);
      }
      for (const racer of racers) racer.child.kill("SIGKILL");
    }
  });

  it("storage > data-directory lock > takes the directory of a path too long for a socket file, by the abstract socket alone", async () => {
    let dir = scratch;
    while (Buffer.byteLength(join(dir, "lock")) <= 107) dir = join(dir, "a-rather-long-directory-name");
    mkdirSync(dir, { recursive: true });
    const lock = await lockDataDir(dir);
    assert.match(lock.limitation ?? "", /longer than a socket path may be \(107 bytes\): servers in other network namespaces \(containers\) sharing the directory are not excluded$/);
    assert.equal(existsSync(join(dir, "lock")), false);
    await assert.rejects(lockDataDir(dir), { name: "DataDirError", message: `${dir} is in use by another Tributary server (this process)` });
    await lock.release();
  });

  const unshareWorks = spawnSync("unshare", ["-n", "true"]).status === 0;
  it(
    "storage > data-directory lock > refuses a holder in another network namespace (a container sharing the volume) through the socket file",
    { skip: unshareWorks ? false : "`unshare -n` is not permitted here (needs root or user namespaces), so no second network namespace" },
    async () => {
      const dir = freshDir();
      const inOtherNamespace = startHolder("unshare", ["-n", process.execPath, "--import", "tsx", holderScript, dir]);
      const answer = await inOtherNamespace.answer;
      const pid = /^held (\d+)$/.exec(answer)?.[1];
      assert.ok(pid !== undefined, answer);
      await assert.rejects(lockDataDir(dir), {
        name: "DataDirError",
        message: `${dir} is in use by another Tributary server (pid ${pid}, in another network namespace)`,
      });
      inOtherNamespace.child.kill("SIGKILL");
      await waitFor("the holder in the other namespace exits", () => inOtherNamespace.child.exitCode !== null || inOtherNamespace.child.signalCode !== null);
      const lock = await lockDataDir(dir);
      await lock.release();
    },
  );
});
