/**
 * The process's logger (pino): JSON lines, or pino-pretty's coloured lines for a person at a
 * terminal (`--log-format`, docs/logging.md). Both go to stderr, so stdout stays free for the
 * CLI's own output. Pretty printing runs in this thread (a pino-pretty stream, not a transport's
 * worker): it is for a terminal, where a person reads far fewer lines than a collector would,
 * and it lets the access log's lines (`access`, src/server/access-log.ts) print as one line each.
 */
import { writeSync } from "node:fs";
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
 * How long an info or debug line may wait in memory before it is written, and how many characters
 * of them make a write at once. Under load the access log writes a line per request; written one
 * at a time, each line is an asynchronous write that wakes a thread of libuv's pool, and on a
 * 2-core machine those wake-ups cost the request thread ~8 % of config A's throughput
 * (docs/performance.md, "Metrics and access logging overhead"). Batched, a busy server writes a
 * few times a second. Warnings and errors are written at once, with whatever waits before them.
 */
const infoFlushIntervalMs = 100;
const infoBatchChars = 8 * 1024;

/** Batches with lines waiting, written when the process exits (see batchedStderr). */
const waitingBatches = new Set<() => void>();
let exitHookInstalled = false;

/**
 * Stderr through pino's asynchronous writer (SonicBoom), info and debug lines batched here: a
 * line waits as the string pino made, in a list, and a batch is joined into one string and handed
 * to the writer whole, which writes it at once. At exit the lines waiting are written
 * synchronously after what the writer holds (pino flushes the writer itself); a kill -9 can lose
 * the last ~100 ms of info lines, never a warning.
 *
 * Not the writer's own batching: given strings it appends each line to the batch's string and
 * measures the whole batch's UTF-8 length again, which flattens it (a copy of up to 8 KiB per
 * line); given bytes, each line becomes a Buffer of its own, held until its batch is written,
 * and with the access log on V8 then began collecting its old generation seconds earlier and
 * more often — about 50 % more full collections under config A (docs/performance.md).
 */
function batchedStderr(): DestinationStream {
  const writer = pino.destination({ fd: 2, sync: false });
  const infoLevel = pino.levels.values.info!;
  let lines: string[] = [];
  let chars = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const take = (): string | undefined => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    waitingBatches.delete(writeBatchAtExit);
    if (lines.length === 0) return undefined;
    const batch = lines.length === 1 ? lines[0]! : lines.join("");
    lines = [];
    chars = 0;
    return batch;
  };
  const writeBatch = (): void => {
    const batch = take();
    if (batch !== undefined) writer.write(batch);
  };
  const writeBatchAtExit = (): void => {
    const batch = take();
    if (batch === undefined) return;
    try {
      writer.flushSync();
    } catch {
      // Not open yet, or closed: the batch is still written.
    }
    writeSync(2, batch);
  };
  const stream = {
    // pino sets lastLevel on a stream that asks for its lines' metadata.
    [pino.symbols.needsMetadataGsym]: true,
    lastLevel: 0,
    write(line: string) {
      lines.push(line);
      chars += line.length;
      if (stream.lastLevel > infoLevel || chars >= infoBatchChars) return writeBatch();
      if (timer === undefined) {
        timer = setTimeout(writeBatch, infoFlushIntervalMs);
        timer.unref();
        waitingBatches.add(writeBatchAtExit);
      }
    },
  };
  installExitHook();
  return stream;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const write of waitingBatches) write();
  });
}

export const silentLogger: Logger = pino({ level: "silent" });
