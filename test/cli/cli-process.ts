/**
 * Runs the real `tributary` command (src/cli/main.ts through tsx) as a child process, as a user
 * would: one-shot commands to completion, or a server that is ready once it prints its URL.
 * The child's environment has no TRIBUTARY_* variable from ours, and its data directory is a
 * fresh temporary one unless the caller names another.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** Generous: tsx compiles the sources on start, npx resolves the package, and the machine is shared. */
const readyTimeoutMs = 60_000;
const runTimeoutMs = 30_000;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("TRIBUTARY_")) env[name] = value;
  return { ...env, ...extra };
}

/** The sources through tsx, or (`launcher`) the installed command: bin/tributary running the build in dist/. */
function spawnCli(args: readonly string[], env: Record<string, string>, launcher = false): ChildProcess {
  const [command, prefix] = launcher ? [join(repoRoot, "bin/tributary"), []] : [process.execPath, ["--import", "tsx", "src/cli/main.ts"]];
  return spawn(command, [...prefix, ...args], {
    cwd: repoRoot,
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs a command that is expected to exit by itself (help, version, a rejected option). */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const dataDir = mkdtempSync(join(tmpdir(), "tributary-cli-"));
  const child = spawnCli(args, { TRIBUTARY_DATA_DIR: dataDir, ...env });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tributary ${args.join(" ")} did not exit within ${runTimeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, runTimeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface CliServer {
  /** The URL the server printed when it was ready. */
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr has a line containing `text` (the server logs JSON lines there). */
  waitForStderr(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (SIGTERM by default) and waits for the exit; SIGKILL after a timeout. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface CliServerOptions {
  args?: readonly string[];
  env?: Record<string, string>;
  /** The data directory; a fresh temporary one (removed on exit) when omitted. */
  dataDir?: string;
  /** Run bin/tributary (the built command, as npm installs it) instead of the sources. */
  launcher?: boolean;
}

/**
 * The URL of the server's ready line (`listening on http://…`) on `child`'s stdout; rejects when
 * the process exits first, or after readyTimeoutMs (calling `onTimeout` first).
 */
export function readyLine(
  child: ChildProcess,
  output: () => { stdout: string; stderr: string },
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  what: string,
  onTimeout: () => void = () => undefined,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      const { stdout, stderr } = output();
      reject(new Error(`${what} printed no URL within ${readyTimeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, readyTimeoutMs);
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output().stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      resolve(match[1]!);
    };
    child.stdout!.on("data", onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      const { stdout, stderr } = output();
      reject(new Error(`${what} exited (code ${code}, signal ${signal}) before it was ready\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

/** Starts `tributary server` and resolves once it has printed the URL it listens on. */
export async function startCliServer(options: CliServerOptions = {}): Promise<CliServer> {
  const ownDataDir = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), "tributary-cli-")) : undefined;
  const dataDir = options.dataDir ?? ownDataDir!;
  const child = spawnCli(["server", ...(options.args ?? ["--port", "0"])], {
    TRIBUTARY_DATA_DIR: dataDir,
    TRIBUTARY_LOG_LEVEL: "info",
    ...options.env,
  }, options.launcher);
  let stdout = "";
  let stderr = "";
  const stderrWaiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    for (const waiter of stderrWaiters.splice(0)) {
      if (stderr.includes(waiter.text)) waiter.resolve();
      else stderrWaiters.push(waiter);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );

  const url = await readyLine(child, () => ({ stdout, stderr }), exited, "tributary server", () => child.kill("SIGKILL"));

  return {
    url,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStderr(text, timeoutMs = 10_000) {
      if (stderr.includes(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no '${text}' on stderr within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
        stderrWaiters.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const outcome = await exited;
      clearTimeout(timer);
      return outcome;
    },
  };
}
