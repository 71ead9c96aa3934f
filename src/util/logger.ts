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
  if (resolveLogFormat(format) === "json") {
    const stream = destination ?? batchedStderr();
    const logger = pino({ level, base: undefined }, stream);
    // Own property: a child logger (Object.create of this one) adds its bindings, so it has none.
    Object.defineProperty(logger, preformattedInfoKey, { value: preformattedInfoTo(logger, stream) });
    return logger;
  }
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

const preformattedInfoKey = Symbol("tributary.preformattedInfo");

/** Writes an info line whose fields are given as JSON text: `"name":value` pairs, comma-separated. */
export type PreformattedInfo = (fieldsJson: string, message: string) => void;

/**
 * A writer of info lines with their fields serialized by the caller, for the loggers createLogger
 * makes in the json format; undefined for any other (pretty, a child with its bindings): log an
 * object through it then. The access log writes a line per request and builds its own fields
 * (src/server/access-log.ts): pino's serialization of a nested object costs more than the line's
 * text. The line is the one pino writes for `logger.info(fields, message)`: level, time, the
 * fields, msg.
 */
export function preformattedInfo(logger: Logger): PreformattedInfo | undefined {
  return Object.hasOwn(logger, preformattedInfoKey) ? (logger as unknown as Record<symbol, PreformattedInfo>)[preformattedInfoKey] : undefined;
}

function preformattedInfoTo(logger: PinoLogger, stream: DestinationStream): PreformattedInfo {
  const infoLevel = pino.levels.values.info!;
  const target = stream as DestinationStream & { lastLevel?: number };
  const needsMetadata = (stream as unknown as Record<symbol, unknown>)[pino.symbols.needsMetadataGsym] === true;
  return (fieldsJson, message) => {
    // The level can be changed after the logger is made.
    if (logger.levelVal > infoLevel) return;
    if (needsMetadata) target.lastLevel = infoLevel;
    // pino's own prefix and time (its default, epoch milliseconds), as `logger.info` writes them.
    stream.write(`{"level":${infoLevel},"time":${Date.now()},${fieldsJson},"msg":${JSON.stringify(message)}}\n`);
  };
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
 *
 * The writer takes each line as bytes ("buffer" mode) and keeps a batch as a list of them. Given
 * strings, it appends each line to the batch's string and measures the whole batch's UTF-8 length
 * again, which flattens it: a copy of up to 8 KiB per line, 1.8 µs of an access line's 3.4 µs
 * (docs/performance.md, issue 19). Encoding the line alone costs its own length.
 */
function batchedStderr(): DestinationStream {
  const writer = pino.destination({ fd: 2, sync: false, minLength: infoBatchBytes, periodicFlush: infoFlushIntervalMs, contentMode: "buffer" });
  // In buffer mode SonicBoom's write takes a Buffer (its types know only strings).
  const writeBytes = writer.write as unknown as (this: typeof writer, bytes: Buffer) => boolean;
  const infoLevel = pino.levels.values.info!;
  // pino sets lastLevel on a stream that asks for its lines' metadata (pino.symbols.needsMetadataGsym).
  const stream = {
    [pino.symbols.needsMetadataGsym]: true,
    lastLevel: 0,
    write(line: string) {
      writeBytes.call(writer, Buffer.from(line, "utf8"));
      if (stream.lastLevel > infoLevel) writer.flush();
    },
  };
  return stream;
}

export const silentLogger: Logger = pino({ level: "silent" });
