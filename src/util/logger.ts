import { pino, type Logger as PinoLogger } from "pino";

/** The logger every module receives through deps. Never log secrets or record payloads at info. */
export type Logger = Pick<PinoLogger, "info" | "warn" | "error" | "debug" | "child">;

export type LogLevel = "silent" | "error" | "warn" | "info" | "debug";

/** Logs JSON lines to stderr, so stdout stays free for the CLI's own output. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: undefined }, pino.destination({ fd: 2, sync: false }));
}

export const silentLogger: Logger = pino({ level: "silent" });
