/**
 * The process's logger (pino): JSON lines, or pino-pretty's coloured lines for a person at a
 * terminal (`--log-format`, docs/logging.md). Both go to stderr, so stdout stays free for the
 * CLI's own output. Pretty printing runs in this thread (a pino-pretty stream, not a transport's
 * worker): it is for a terminal, where a person reads far fewer lines than a collector would,
 * and it lets the access log's lines (`access`, src/server/access-log.ts) print as one line each.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";
import { build as prettyStream, type MessageFormatFunc } from "pino-pretty";

/** The logger every module receives through deps. Never log secrets or record payloads at info. */
export type Logger = Pick<PinoLogger, "info" | "warn" | "error" | "debug" | "child">;

export type LogLevel = "silent" | "error" | "warn" | "info" | "debug";

/** `--log-format`: auto is pretty when stderr is a terminal, JSON otherwise. */
export type LogFormat = "auto" | "pretty" | "json";

/** The format `auto` stands for here: pretty when stderr is a terminal (a person reads it), JSON otherwise (a collector does). */
export function resolveLogFormat(format: LogFormat, stderrIsTty: boolean = process.stderr.isTTY === true): "pretty" | "json" {
  return format === "auto" ? (stderrIsTty ? "pretty" : "json") : format;
}

/**
 * Logs to stderr (fd 2) in `format`; `destination` replaces stderr (tests read what was written).
 *
 * @example
 *   const logger = createLogger("info", "auto");
 *   logger.info({ streams: 3 }, "init file applied");
 */
export function createLogger(level: LogLevel, format: LogFormat = "json", destination?: DestinationStream): Logger {
  if (resolveLogFormat(format) === "json") return pino({ level, base: undefined }, destination ?? pino.destination({ fd: 2, sync: false }));
  const pretty = prettyStream({
    destination: destination ?? 2,
    sync: false,
    colorize: destination === undefined && process.stderr.isTTY === true,
    translateTime: "SYS:HH:MM:ss.l",
    // The access log's fields print in its one-line message instead (accessLine below).
    ignore: "access",
    messageFormat: accessLine,
  });
  return pino({ level, base: undefined }, pretty);
}

/** An access-log entry as one line (`POST kinesis PutRecord orders → 200 0.84 ms 85 B in 110 B out h1 <request id>`); other lines keep their message. */
const accessLine: MessageFormatFunc = (log, messageKey) => {
  const message = String(log[messageKey] ?? "");
  const access = log.access as Record<string, unknown> | undefined;
  if (access === undefined || typeof access !== "object") return message;
  const parts = [access.method, access.service, access.action, access.resource].filter((part) => part !== undefined && part !== "");
  let line = `${parts.join(" ")} → ${access.status ?? "-"}`;
  if (access.errorType !== undefined) line += ` ${access.errorType}`;
  line += ` ${access.latencyMs} ms ${access.bytesIn ?? 0} B in ${access.bytesOut ?? 0} B out ${access.protocol}`;
  if (access.requestId !== undefined) line += ` ${access.requestId}`;
  return line;
};

export const silentLogger: Logger = pino({ level: "silent" });
