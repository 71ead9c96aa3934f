/**
 * The MultiLangDaemon's properties file: the Java .properties grammar (java.util.Properties#load)
 * and the mapping of the keys the KCL multilang daemon reads to the consumer's options.
 *
 * Grammar, as Properties#load reads it:
 *   natural lines end at \n, \r or \r\n; a line whose first non-blank character is # or ! is a
 *   comment; a line ending in an odd number of backslashes continues on the next line, whose
 *   leading blanks (space, \t, \f) are dropped; the key runs to the first unescaped '=', ':' or
 *   blank; blanks around one '=' or ':' separator are skipped; the rest of the line is the value,
 *   trailing blanks included. Escapes: \t \n \r \f, \uXXXX, and a backslash before any other
 *   character stands for that character. A later duplicate key wins.
 * One difference: the file is read as UTF-8, where Java reads ISO-8859-1 (an ASCII file, or one
 * that escapes everything else as \uXXXX, reads the same either way).
 */
import type { FanOutRetrieval, InitialPosition, PollingRetrieval } from "../../client/consumer/types.js";

export type PropertiesOutcome = { ok: true; properties: Map<string, string> } | { ok: false; message: string };

const blank = new Set([" ", "\t", "\f"]);

/** Parses the text of a .properties file into its keys and values, in file order. */
export function parseProperties(text: string): PropertiesOutcome {
  const properties = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index++) {
    const firstLine = index + 1;
    let logical = stripLeadingBlanks(lines[index]!);
    if (logical === "" || logical.startsWith("#") || logical.startsWith("!")) continue;
    while (endsInContinuation(logical)) {
      logical = logical.slice(0, -1);
      index++;
      if (index >= lines.length) break;
      logical += stripLeadingBlanks(lines[index]!);
    }
    const parsed = splitKeyValue(logical);
    const key = unescape(parsed.key);
    const value = unescape(parsed.value);
    if (key === undefined || value === undefined) return { ok: false, message: `line ${firstLine}: malformed \\uxxxx encoding` };
    properties.set(key, value);
  }
  return { ok: true, properties };
}

function stripLeadingBlanks(line: string): string {
  let start = 0;
  while (start < line.length && blank.has(line[start]!)) start++;
  return line.slice(start);
}

/** An odd number of trailing backslashes: the last one escapes the line break. */
function endsInContinuation(line: string): boolean {
  let count = 0;
  for (let at = line.length - 1; at >= 0 && line[at] === "\\"; at--) count++;
  return count % 2 === 1;
}

function splitKeyValue(line: string): { key: string; value: string } {
  let at = 0;
  while (at < line.length) {
    const char = line[at]!;
    if (char === "\\") {
      at += 2;
      continue;
    }
    if (char === "=" || char === ":" || blank.has(char)) break;
    at++;
  }
  const key = line.slice(0, Math.min(at, line.length));
  let rest = at;
  while (rest < line.length && blank.has(line[rest]!)) rest++;
  if (rest < line.length && (line[rest] === "=" || line[rest] === ":")) {
    rest++;
    while (rest < line.length && blank.has(line[rest]!)) rest++;
  }
  return { key, value: line.slice(rest) };
}

const simpleEscapes: Record<string, string> = { t: "\t", n: "\n", r: "\r", f: "\f" };

/** Resolves the escapes of a key or value; undefined for a malformed \uXXXX. */
function unescape(text: string): string | undefined {
  if (!text.includes("\\")) return text;
  let out = "";
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!;
    if (char !== "\\") {
      out += char;
      continue;
    }
    const next = text[++at];
    if (next === undefined) break; // A lone backslash at the very end (end of file) stands for nothing.
    if (next === "u") {
      const hex = text.slice(at + 1, at + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
      out += String.fromCharCode(parseInt(hex, 16));
      at += 4;
    } else {
      out += simpleEscapes[next] ?? next;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The multilang keys

/** What `tributary kcl` runs: the consumer's options, the child's command and the daemon's own settings. */
export interface KclSettings {
  /** executableName as written, and split on spaces as the KCL splits it. */
  executableName: string;
  command: string[];
  applicationName: string;
  /** Only one is set: the ARN when the file names one (the KCL lets it take precedence). */
  streamName?: string;
  streamArn?: string;
  leaseTableName?: string;
  workerId?: string;
  initialPosition?: InitialPosition;
  regionName?: string;
  dynamoDBRegionName?: string;
  kinesisEndpoint?: string;
  dynamoDBEndpoint?: string;
  failoverTimeMs?: number;
  shardSyncIntervalMs?: number;
  maxLeasesForWorker?: number;
  retrieval: PollingRetrieval | FanOutRetrieval;
  /** timeoutInSeconds: how long to wait for the child's answer to one message (default: no limit, as the KCL). */
  responseTimeoutMs?: number;
  /** shutdownGraceMillis: how long a graceful shutdown on SIGTERM may take. */
  shutdownGraceMs?: number;
}

export type KclSettingsOutcome =
  | {
      ok: true;
      settings: KclSettings;
      /** Keys the Java daemon reads that have no meaning here (credentials, metrics, thread pools). */
      ignoredKeys: string[];
      /** Keys neither daemon knows: likely typos. */
      unknownKeys: string[];
    }
  | { ok: false; message: string };

/** The daemon's exact messages for the required keys (MultiLangDaemonConfig, KinesisClientLibConfigurator). */
export const missingExecutableMessage = "Must provide an executable name in the properties file, e.g. executableName = sampleapp.py";
export const missingApplicationNameMessage = "Application name is required";
export const missingStreamMessage = "Stream name or Stream Arn is required. Stream Arn takes precedence if both are passed in.";

const supportedKeys = new Set([
  "executableName", "applicationName", "streamName", "streamArn", "tableName", "workerId", "workerIdentifier",
  "initialPositionInStream", "initialPositionInStreamExtended", "regionName", "dynamoDBRegionName",
  "kinesisEndpoint", "dynamoDBEndpoint", "failoverTimeMillis", "shardSyncIntervalMillis", "maxLeasesForWorker",
  "maxRecords", "idleTimeBetweenReadsInMillis", "retrievalMode", "consumerName", "consumerArn",
  "fanoutConfig.consumerName", "fanoutConfig.consumerArn", "timeoutInSeconds", "shutdownGraceMillis",
]);

/**
 * Keys of MultiLangDaemonConfiguration (KCL 2.x and 3.x) that tune Java internals, metrics or
 * tables this consumer does not have. Accepted so an existing file runs unchanged.
 */
const javaOnlyKeys = new Set([
  "processingLanguage", "maxActiveThreads", "cleanupLeasesUponShardCompletion", "ignoreUnexpectedChildShards",
  "maxLeasesToStealAtOneTime", "initialLeaseTableReadCapacity", "initialLeaseTableWriteCapacity", "billingMode",
  "maxLeaseRenewalThreads", "listShardsBackoffTimeInMillis", "maxListShardsRetryAttempts",
  "callProcessRecordsEvenForEmptyRecordList", "parentShardPollIntervalMillis", "shardPrioritization",
  "skipShardSyncAtWorkerInitializationIfLeasesExist", "schedulerInitializationBackoffTimeMillis",
  "taskBackoffTimeMillis", "metricsBufferTimeMillis", "metricsMaxQueueSize", "metricsLevel",
  "metricsEnabledDimensions", "logWarningForTaskAfterMillis", "validateSequenceNumberBeforeCheckpointing",
  "retryGetRecordsInSeconds", "maxGetRecordsThreadPool", "cloudWatchRegionName", "clientVersionConfig",
  "coordinatorStateTableName", "coordinatorStateBillingMode", "coordinatorStateReadCapacity",
  "coordinatorStateWriteCapacity", "gracefulLeaseHandoffTimeoutMillis", "isGracefulLeaseHandoffEnabled",
  "workerMetricsTableName", "workerMetricsBillingMode", "workerMetricsReadCapacity", "workerMetricsWriteCapacity",
  "inMemoryWorkerMetricsCaptureFrequencyMillis", "workerMetricsReporterFreqInMillis",
  "noOfPersistedMetricsPerWorkerMetrics", "disableWorkerMetrics", "maxThroughputPerHostKBps", "dampeningPercentage",
  "reBalanceThresholdPercentage", "allowThroughputOvershoot", "varianceBalancingFrequency", "workerMetricsEMAAlpha",
  "staleWorkerMetricsEntryCleanupDuration",
]);

/** Nested Java builder properties (kinesisClient.*, fanoutConfig.maxDescribeStreamSummaryRetries, …). */
const javaOnlyPrefixes = ["kinesisClient.", "dynamoDbClient.", "cloudWatchClient.", "fanoutConfig.", "pollingConfig."];

function isJavaOnlyKey(key: string): boolean {
  // The KCL matches the credentials keys without regard to case (KinesisClientLibConfigurator#processKey).
  if (key.toLowerCase().startsWith("awscredentialsprovider")) return true;
  return javaOnlyKeys.has(key) || javaOnlyPrefixes.some((prefix) => key.startsWith(prefix));
}

class SettingsError extends Error {}

/** A key's value, trimmed (Java keeps trailing blanks, which only ever break a name); blank reads as absent. */
function read(properties: ReadonlyMap<string, string>, key: string): string | undefined {
  const value = properties.get(key)?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function integer(properties: ReadonlyMap<string, string>, key: string, min: number, max: number): number | undefined {
  const text = read(properties, key);
  if (text === undefined) return undefined;
  const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new SettingsError(`invalid value '${text}' for ${key}: expected an integer from ${min} to ${max}`);
  }
  return value;
}

function endpoint(properties: ReadonlyMap<string, string>, key: string): string | undefined {
  const text = read(properties, key);
  if (text === undefined) return undefined;
  if (!isEndpointUrl(text)) throw new SettingsError(`invalid value '${text}' for ${key}: expected an http or https URL`);
  return text;
}

export function isEndpointUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

const streamArnPattern = /^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):\d{12}:stream\/([a-zA-Z0-9_.-]{1,128})$/;

/**
 * initialPositionInStream (TRIM_HORIZON | LATEST, any case) and initialPositionInStreamExtended
 * (AT_TIMESTAMP, given as whole seconds since the epoch, as the KCL's converter reads it).
 */
function initialPosition(properties: ReadonlyMap<string, string>): InitialPosition | undefined {
  const named = read(properties, "initialPositionInStream")?.toUpperCase();
  const secondsText = read(properties, "initialPositionInStreamExtended");
  if (named !== undefined && !["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"].includes(named)) {
    throw new SettingsError(`invalid value '${read(properties, "initialPositionInStream")}' for initialPositionInStream: expected TRIM_HORIZON, LATEST or AT_TIMESTAMP`);
  }
  if (secondsText === undefined) {
    if (named === "AT_TIMESTAMP") {
      throw new SettingsError("initialPositionInStream = AT_TIMESTAMP needs initialPositionInStreamExtended (the timestamp, in seconds since the epoch)");
    }
    return named === undefined ? undefined : { type: named as "TRIM_HORIZON" | "LATEST" };
  }
  if (named !== undefined && named !== "AT_TIMESTAMP") {
    throw new SettingsError(`initialPositionInStream = ${named} and initialPositionInStreamExtended contradict each other: give one`);
  }
  const seconds = integer(properties, "initialPositionInStreamExtended", 0, 253_402_300_799);
  return { type: "AT_TIMESTAMP", timestamp: new Date(seconds! * 1000) };
}

/**
 * retrievalMode as KCL 2.x multilang reads it (RetrievalMode): FANOUT, POLLING or DEFAULT, in any
 * case. DEFAULT (and no retrievalMode) means polling if a polling key is set, else fan-out.
 */
function retrieval(properties: ReadonlyMap<string, string>): PollingRetrieval | FanOutRetrieval {
  const modeText = read(properties, "retrievalMode");
  const mode = modeText?.toUpperCase() ?? "DEFAULT";
  if (!["FANOUT", "POLLING", "DEFAULT"].includes(mode)) {
    throw new SettingsError(`Unknown retrieval type '${modeText}'. Available retrieval types: (FANOUT, POLLING, DEFAULT)`);
  }
  const maxRecords = integer(properties, "maxRecords", 1, 10_000);
  const idleTimeBetweenReadsMs = integer(properties, "idleTimeBetweenReadsInMillis", 0, 3_600_000);
  const pollingKeysSet = maxRecords !== undefined || idleTimeBetweenReadsMs !== undefined;
  if (mode === "POLLING" || (mode === "DEFAULT" && pollingKeysSet)) {
    return { mode: "polling", ...(maxRecords !== undefined && { maxRecords }), ...(idleTimeBetweenReadsMs !== undefined && { idleTimeBetweenReadsMs }) };
  }
  const consumerName = read(properties, "consumerName") ?? read(properties, "fanoutConfig.consumerName");
  const consumerARN = read(properties, "consumerArn") ?? read(properties, "fanoutConfig.consumerArn");
  return { mode: "fanout", ...(consumerName !== undefined && { consumerName }), ...(consumerARN !== undefined && { consumerARN }) };
}

/** Maps parsed properties to the daemon's settings; the first problem stops it with the reason. */
export function kclSettings(properties: ReadonlyMap<string, string>): KclSettingsOutcome {
  try {
    const executableName = read(properties, "executableName");
    if (executableName === undefined) throw new SettingsError(missingExecutableMessage);
    const applicationName = read(properties, "applicationName");
    if (applicationName === undefined) throw new SettingsError(missingApplicationNameMessage);
    const streamArn = read(properties, "streamArn");
    const streamName = read(properties, "streamName");
    const arnMatch = streamArn === undefined ? undefined : streamArnPattern.exec(streamArn);
    if (streamArn !== undefined && !arnMatch) {
      throw new SettingsError(`invalid value '${streamArn}' for streamArn: expected arn:aws:kinesis:<region>:<account id>:stream/<stream name>`);
    }
    if (streamArn === undefined && streamName === undefined) throw new SettingsError(missingStreamMessage);

    const optional = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
    const settings: KclSettings = {
      executableName,
      // MultiLangRecordProcessorFactory splits on runs of spaces (not tabs), with no quoting.
      command: executableName.split(/ +/),
      applicationName,
      ...(streamArn !== undefined ? { streamArn } : { streamName: streamName! }),
      ...optional("leaseTableName", read(properties, "tableName")),
      ...optional("workerId", read(properties, "workerId") ?? read(properties, "workerIdentifier")),
      ...optional("initialPosition", initialPosition(properties)),
      // A region named by the stream ARN serves when regionName is absent.
      ...optional("regionName", read(properties, "regionName") ?? arnMatch?.[1]),
      ...optional("dynamoDBRegionName", read(properties, "dynamoDBRegionName")),
      ...optional("kinesisEndpoint", endpoint(properties, "kinesisEndpoint")),
      ...optional("dynamoDBEndpoint", endpoint(properties, "dynamoDBEndpoint")),
      ...optional("failoverTimeMs", integer(properties, "failoverTimeMillis", 1, 86_400_000)),
      ...optional("shardSyncIntervalMs", integer(properties, "shardSyncIntervalMillis", 1, 86_400_000)),
      ...optional("maxLeasesForWorker", integer(properties, "maxLeasesForWorker", 1, 2_147_483_647)),
      retrieval: retrieval(properties),
      ...optional("responseTimeoutMs", mapDefined(integer(properties, "timeoutInSeconds", 1, 86_400), (seconds) => seconds * 1000)),
      ...optional("shutdownGraceMs", integer(properties, "shutdownGraceMillis", 0, 86_400_000)),
    };
    const ignoredKeys: string[] = [];
    const unknownKeys: string[] = [];
    for (const key of properties.keys()) {
      if (supportedKeys.has(key)) continue;
      (isJavaOnlyKey(key) ? ignoredKeys : unknownKeys).push(key);
    }
    return { ok: true, settings, ignoredKeys, unknownKeys };
  } catch (error) {
    if (error instanceof SettingsError) return { ok: false, message: error.message };
    throw error;
  }
}

function mapDefined<T, U>(value: T | undefined, map: (value: T) => U): U | undefined {
  return value === undefined ? undefined : map(value);
}
