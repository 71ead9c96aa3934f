/**
 * One sandbox's process: spawned detached (its own process group, so the handler's children die
 * with it), stdin ignored, stdout and stderr piped, no descriptor beyond 0–2, the environment
 * given (sandbox-environment.ts) and nothing of the server's. Output is cut into lines (a log
 * event each) as it arrives; a partial last line is held until its newline or the process's end.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

const memoryReadIntervalMs = 20;

/** How Go's os/exec (Lambda's runtime manager) names a signal in "Runtime exited with error: signal: …". */
const signalWords: Readonly<Record<string, string>> = {
  SIGKILL: "killed",
  SIGABRT: "aborted",
  SIGSEGV: "segmentation fault",
  SIGTERM: "terminated",
  SIGINT: "interrupt",
  SIGBUS: "bus error",
  SIGILL: "illegal instruction",
  SIGFPE: "floating point exception",
  SIGHUP: "hangup",
  SIGPIPE: "broken pipe",
  SIGQUIT: "quit",
  SIGTRAP: "trace/breakpoint trap",
  SIGUSR1: "user defined signal 1",
  SIGUSR2: "user defined signal 2",
};

/** "exit status 1", "signal: killed": what follows "Runtime exited with error: ". */
export function exitDescription(exit: ProcessExit): string {
  if (exit.signal !== null) return `signal: ${signalWords[exit.signal] ?? exit.signal}`;
  return `exit status ${exit.code ?? 0}`;
}

export class SandboxProcess {
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private exit: ProcessExit | undefined;
  /** Set when the executor killed it (timeout, memory, retirement): not the runtime's own exit. */
  killedBy: "timeout" | "memory" | "retired" | undefined;
  /** Why the process could not be started at all (then `exited` resolves at once). */
  spawnError: string | undefined;
  private memory: { residentMB: number; peakMB: number } | undefined;
  private memoryReadAtMs = 0;

  constructor(spec: SpawnSpec, onLine: (line: string) => void) {
    this.child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env as NodeJS.ProcessEnv,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.exited = new Promise((resolve) => {
      let exit: ProcessExit | undefined;
      // The runtime is gone: end what it left running in its group, whose pipes would keep the
      // sandbox's output open.
      this.child.once("exit", (code, signal) => {
        exit = { code, signal };
        this.killGroup();
      });
      // "close" waits for stdout and stderr to end too, so every line is in before the exit is seen.
      this.child.once("close", (code, signal) => {
        this.exit = exit ?? { code, signal };
        resolve(this.exit);
      });
      this.child.once("error", (error) => {
        const code = (error as NodeJS.ErrnoException).code;
        // Worded as Go's exec (Lambda's runtime manager) words it.
        this.spawnError = `fork/exec ${spec.command}: ${code === "EACCES" ? "permission denied" : code === "ENOENT" ? "no such file or directory" : error.message}`;
        this.exit = { code: 255, signal: null };
        resolve(this.exit);
      });
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let partial = "";
      stream.setEncoding("utf8");
      stream.on("data", (text: string) => {
        let start = 0;
        for (let newline = text.indexOf("\n"); newline >= 0; newline = text.indexOf("\n", start)) {
          onLine(partial + text.slice(start, newline));
          partial = "";
          start = newline + 1;
        }
        partial += text.slice(start);
      });
      stream.on("end", () => {
        if (partial.length > 0) onLine(partial);
        partial = "";
      });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Kills the whole process group at once (SIGKILL: a timed-out or retired sandbox gets no grace). */
  kill(reason: "timeout" | "memory" | "retired"): void {
    if (this.exit !== undefined || this.child.pid === undefined) return;
    this.killedBy ??= reason;
    this.killGroup();
  }

  private killGroup(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // The group is already empty.
    }
  }

  /**
   * Resident memory now and at its peak, in MB, from /proc (undefined once gone or off Linux); read
   * at most every `memoryReadIntervalMs`, since every REPORT line asks.
   */
  memoryMB(): { residentMB: number; peakMB: number } | undefined {
    if (this.child.pid === undefined || this.exit !== undefined) return undefined;
    const nowMs = performance.now();
    if (this.memory !== undefined && nowMs - this.memoryReadAtMs < memoryReadIntervalMs) return this.memory;
    this.memory = this.readMemory();
    this.memoryReadAtMs = nowMs;
    return this.memory;
  }

  private readMemory(): { residentMB: number; peakMB: number } | undefined {
    if (this.child.pid === undefined) return undefined;
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, "latin1");
      const kilobytes = (field: string) => {
        const at = status.indexOf(`${field}:`);
        return at < 0 ? 0 : Number.parseInt(status.slice(at + field.length + 1), 10);
      };
      return { residentMB: Math.ceil(kilobytes("VmRSS") / 1024), peakMB: Math.ceil(kilobytes("VmHWM") / 1024) };
    } catch {
      return undefined;
    }
  }
}
