/**
 * Runs the stream tools (`tributary streams|tail|put|export|import|stats`) as a user would: the
 * real command (src/cli/main.ts through tsx) as a child process, pointed at a test server through
 * AWS_ENDPOINT_URL, with the README's example credentials and region, input on stdin, output
 * collected. `startTool` keeps a long-running one (tail) going until the test stops it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { repoRoot } from "./cli-process.js";

const runTimeoutMs = 60_000;
/** tsx by URL: a tool may run in another working directory, where a bare `tsx` would not resolve. */
const tsxLoader = import.meta.resolve("tsx");

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ToolOptions {
  /** Written to the tool's stdin, which then closes (stdin is empty otherwise). */
  input?: string | Buffer;
  /** startTool: leave stdin open for the test to write to (`child.stdin`). */
  openStdin?: boolean;
  env?: Record<string, string>;
  cwd?: string;
}

function toolEnv(endpoint: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("TRIBUTARY_") && !name.startsWith("AWS_")) env[name] = value;
  return {
    ...env,
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL: endpoint,
    ...extra,
  };
}

function spawnTool(endpoint: string, args: readonly string[], options: ToolOptions): ChildProcess {
  return spawn(process.execPath, ["--import", tsxLoader, `${repoRoot}src/cli/main.ts`, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: toolEnv(endpoint, options.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Runs a tool to its exit. */
export function runTool(endpoint: string, args: readonly string[], options: ToolOptions = {}): Promise<ToolResult> {
  const child = spawnTool(endpoint, args, options);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin!.end(options.input ?? "");
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tributary ${args.join(" ")} did not exit within ${runTimeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, runTimeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface RunningTool {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout satisfies `done` (checked on every chunk); rejects if the tool exits first or after `timeoutMs`. */
  waitForStdout(done: (stdout: string) => boolean, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a tool that runs until stopped (tail), or one the test interrupts. */
export function startTool(endpoint: string, args: readonly string[], options: ToolOptions = {}): RunningTool {
  const child = spawnTool(endpoint, args, options);
  let stdout = "";
  let stderr = "";
  const waiters: { done: (stdout: string) => boolean; resolve: () => void }[] = [];
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    for (const waiter of waiters.splice(0)) {
      if (waiter.done(stdout)) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  if (!options.openStdin) child.stdin!.end(options.input ?? "");
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStdout(done, timeoutMs = 60_000) {
      if (done(stdout)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`stdout not as awaited within ${timeoutMs} ms:\n${stdout}\nstderr: ${stderr}`)), timeoutMs);
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`the tool exited (code ${code}, signal ${signal}) first:\n${stdout}\nstderr: ${stderr}`));
        });
        waiters.push({
          done,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async stop(signal = "SIGINT") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const outcome = await exited;
      clearTimeout(timer);
      return outcome;
    },
  };
}
