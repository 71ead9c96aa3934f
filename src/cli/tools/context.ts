/**
 * What a tool works with, gathered in one place by index.ts (the process edge: real streams,
 * environment, clock and randomness), so the commands themselves read none of it directly.
 */
import type { Readable, Writable } from "node:stream";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";

export interface ToolContext {
  env: NodeJS.ProcessEnv;
  stdin: Readable & { isTTY?: boolean; fd?: number };
  stdout: Writable;
  /** Progress bars go here, and only when it is a terminal. */
  stderr: Writable & { isTTY?: boolean; columns?: number };
  clock: Clock;
  random: Random;
  /** Aborted by Ctrl-C (SIGINT) or SIGTERM: long-running tools stop cleanly and exit 0. */
  interrupted: AbortSignal;
}

/** Exit statuses: 0 done, 1 the work failed (the service's error, a bad file), 2 a bad command line. */
export const exitOk = 0;
export const exitFailed = 1;
export const exitUsage = 2;

/** Writes `tributary <tool>: <message>` on stderr and answers exit status 1. */
export function failWith(context: ToolContext, tool: string, message: string): number {
  context.stderr.write(`tributary ${tool}: ${message}\n`);
  return exitFailed;
}

/** "1 record", "3 records". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** A bad command line: `tributary <tool>: <message>`, the tool's help after it when that is the answer; exit status 2. */
export function usageError(context: ToolContext, tool: string, help: string, message: string, showHelp: boolean): number {
  context.stderr.write(`tributary ${tool}: ${message}\n${showHelp ? `\n${help}\n` : ""}`);
  return exitUsage;
}
