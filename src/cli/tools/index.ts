/**
 * The stream tools: `tributary streams | tail | put | export | import | stats`. They talk to a
 * running server (or AWS) over the public Kinesis API through the AWS SDK (docs/cli-tools.md).
 * This is their process edge: the real stdin/stdout/stderr, environment, clock and randomness,
 * and Ctrl-C, which long-running tools take as "stop cleanly".
 */
import { systemClock } from "../../util/clock.js";
import { systemRandom } from "../../util/random.js";
import { exitOk, type ToolContext } from "./context.js";

type Tool = (argv: readonly string[], context: ToolContext) => Promise<number>;

const tools: Readonly<Record<string, () => Promise<Tool>>> = {
  streams: async () => (await import("./streams-command.js")).runStreams,
  tail: async () => (await import("./tail-command.js")).runTail,
  put: async () => (await import("./put-command.js")).runPut,
  export: async () => (await import("./export-command.js")).runExport,
  import: async () => (await import("./import-command.js")).runImport,
  stats: async () => (await import("./stats-command.js")).runStats,
};

/** Runs one tool as the process; answers its exit status. */
export async function runTool(command: string, argv: readonly string[]): Promise<number> {
  const interrupted = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C is for an operator who will not wait for the clean stop.
    if (++signals > 1) process.exit(130);
    interrupted.abort(new Error(`stopped by ${signal}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // `tributary tail … | head`: a closed pipe ends the tool quietly, as it ends `cat`.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    interrupted.abort(error);
  });
  const context: ToolContext = {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    clock: systemClock,
    random: systemRandom,
    interrupted: interrupted.signal,
  };
  try {
    const tool = await tools[command]!();
    return await tool(argv, context);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (interrupted.signal.aborted && (interrupted.signal.reason as NodeJS.ErrnoException)?.code === "EPIPE") process.exitCode = exitOk;
  }
}
