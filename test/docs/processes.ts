/**
 * Runs one docs example as a child process in its own process group (so a timeout or a stop
 * reaches everything it started), and starts an example that is a long-running server.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Resolves once no process of the group is left (a server outlives the shell that started it), SIGKILL after `timeoutMs`. */
async function groupGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pid)) {
    if (Date.now() > deadline) {
      killGroup(pid, "SIGKILL");
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function spawnInGroup(command: string, args: readonly string[], options: RunOptions): ChildProcess {
  return spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
}

/** Runs a command to its end; on timeout the whole group is killed and `timedOut` set. */
export async function runToEnd(command: string, args: readonly string[], options: RunOptions): Promise<ProcessResult> {
  const startedMs = Date.now();
  const child = spawnInGroup(command, args, options);
  let stdout = "";
  let stderr = "";
  let timedOut = false;
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid!, "SIGKILL");
  }, options.timeoutMs);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(timer);
  // Whatever the example left running in the background must not outlive it.
  killGroup(child.pid!, "SIGTERM");
  await groupGone(child.pid!, 10_000);
  return { code, signal, stdout, stderr, timedOut, durationMs: Date.now() - startedMs };
}

export interface BackgroundProcess {
  stdout(): string;
  stderr(): string;
  /** SIGTERM to the group, then waits until every process of it has exited (SIGKILL after 15 s). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a long-running example and resolves once `GET http://127.0.0.1:<port>/health` answers
 * 200; rejects if it exits first or is not ready within `timeoutMs`.
 */
export async function startUntilHealthy(command: string, args: readonly string[], port: number, options: RunOptions): Promise<BackgroundProcess> {
  const child = spawnInGroup(command, args, options);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    }),
  );
  const stop = async () => {
    killGroup(child.pid!, "SIGTERM");
    const outcome = await exited;
    await groupGone(child.pid!, 15_000);
    return outcome;
  };
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (exit) throw new Error(`exited (code ${exit.code}, signal ${exit.signal}) before /health answered\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`GET /health on port ${port} did not answer 200 within ${options.timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { stdout: () => stdout, stderr: () => stderr, stop };
}

/** A port that was free a moment ago, for an example server that listens where it is told. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
