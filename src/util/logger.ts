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
  if (resolveLogFormat(format) === "json") return pino({ level, base: undefined }, destination ?? batchedStderr());
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

/**
 * How long an info or debug line may wait in memory before it is written, and how many bytes of
 * them make a write at once. Under load the access log writes a line per request; written one at
 * a time, each line is an asynchronous write that wakes a thread of libuv's pool, and on a
 * 2-core machine those wake-ups cost the request thread ~8 % of config A's throughput
 * (docs/performance.md, "Observability overhead"). Batched, a busy server writes a few times a
 * second. Warnings and errors are written at once, with whatever waits before them.
 */
const infoFlushIntervalMs = 100;
const infoBatchBytes = 8 * 1024;

/**
 * Stderr through pino's asynchronous writer, info and debug lines batched: pino flushes the
 * writer synchronously at exit, so a line waits in memory only while the process lives; a kill -9
 * can lose the last ~100 ms of info lines, never a warning.
 */
function batchedStderr(): DestinationStream {
  const writer = pino.destination({ fd: 2, sync: false, minLength: infoBatchBytes, periodicFlush: infoFlushIntervalMs });
  const infoLevel = pino.levels.values.info!;
  // pino sets lastLevel on a stream that asks for its lines' metadata (pino.symbols.needsMetadataGsym).
  const stream = {
    [pino.symbols.needsMetadataGsym]: true,
    lastLevel: 0,
    write(line: string) {
      writer.write(line);
      if (stream.lastLevel > infoLevel) writer.flush();
    },
  };
  return stream;
}

export const silentLogger: Logger = pino({ level: "silent" });
