/**
 * Starting `tributary server` the ways its docs name — `npm start`, `npx tributary server`,
 * `bin/tributary`, `node bin/tributary.js` — as the leader of a process group of its own, so a
 * test can signal or kill the whole group as a supervisor does, and check that nothing of it is
 * left: no process in the group, the port free, the data directory's lock free.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { readyLine, repoRoot } from "./cli-process.js";

/** The documented ways, and "sources": src/cli/main.ts through tsx (no build), as the crash tests run it. */
export type LaunchPath = "npm start" | "npx" | "bin/tributary" | "node bin/tributary.js" | "sources";

/** The command line for each documented way of running the server, with `serverArgs` after `server`. */
export function launchCommand(path: LaunchPath, serverArgs: readonly string[]): [string, string[]] {
  switch (path) {
    case "npm start":
      return ["npm", ["start", "--silent", "--", ...serverArgs]];
    case "npx":
      return ["npx", ["tributary", "server", ...serverArgs]];
    case "bin/tributary":
      return [join(repoRoot, "bin/tributary"), ["server", ...serverArgs]];
    case "node bin/tributary.js":
      return [process.execPath, [join(repoRoot, "bin/tributary.js"), "server", ...serverArgs]];
    case "sources":
      return [process.execPath, ["--import", "tsx", "src/cli/main.ts", "server", ...serverArgs]];
  }
}

/** Our environment without TRIBUTARY_* and npm's script variables (the test may itself run under npm). */
export function launchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith("TRIBUTARY_") || name.startsWith("npm_")) continue;
    env[name] = value;
  }
  // No registry calls from npm itself while it starts the script.
  return { ...env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false", npm_config_yes: "true", ...extra };
}

export interface GroupServer {
  child: ChildProcess;
  /** The process group: the pid of the command spawned, which leads it. */
  pgid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the URL once the server printed its ready line; rejects if it exits first. */
  ready: Promise<string>;
  /** Resolves when the spawned command has exited (and was reaped). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startGroupServer(path: LaunchPath, serverArgs: readonly string[], env: Record<string, string> = {}): GroupServer {
  const [command, args] = launchCommand(path, serverArgs);
  // detached: the child calls setsid, so it leads a new process group (and session).
  const child = spawn(command, args, { cwd: repoRoot, env: launchEnv(env), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  const ready = readyLine(child, () => ({ stdout, stderr }), exited, path);
  ready.catch(() => undefined);
  return { child, pgid: child.pid!, stdout: () => stdout, stderr: () => stderr, ready, exited };
}

/** The live (not zombie) processes whose process group is `pgid`, as "pid command". */
export function groupMembers(pgid: number): string[] {
  const members: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // Gone meanwhile.
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so parse after the last ")".
    const close = stat.lastIndexOf(")");
    const [state, , pgrp] = stat.slice(close + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z") members.push(`${entry} ${stat.slice(stat.indexOf("(") + 1, close)}`);
  }
  return members;
}

/** Kills every process of the group at once, as `kill -9 -<pgid>` does. */
export function killGroup(pgid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Whether a TCP port on 127.0.0.1 can be listened on (nobody holds it). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port that was free a moment ago (the kernel picked it), for a server that must keep one port across restarts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

