/**
 * `tributary kcl --properties app.properties`: the KCL MultiLangDaemon (docs/kcl-multilang.md).
 * Reads the daemon's properties file, runs a Consumer whose record processors are child
 * processes speaking the multilang protocol, and shuts it down gracefully on SIGINT / SIGTERM.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ConsumerOptions } from "../../client/consumer/types.js";
import { createLogger, type Logger, type LogLevel } from "../../util/logger.js";
import { optionHelpLines, parseCommandLine, resolveOptions, type OptionSpec } from "../server-options.js";
import { MultiLangProcessor } from "./multilang-processor.js";
import { onStopSignals } from "../stop-signals.js";
import { isEndpointUrl, kclSettings, parseProperties, type KclSettings } from "./properties.js";
import { silenceSdkNodeVersionWarning } from "./sdk-warning.js";
import { systemClock } from "../../util/clock.js";

/** A properties file is a page of settings; anything much larger is not one. */
export const propertiesBytesMax = 1 << 20;
/** How long a graceful shutdown may take when shutdownGraceMillis does not say. */
export const shutdownGraceMsDefault = 30_000;

export const kclOptions: readonly OptionSpec[] = [
  { flag: "properties", description: "the MultiLangDaemon properties file (required)", defaultValue: "", parse: (value) => value },
  {
    flag: "endpoint",
    description: "endpoint URL for both Kinesis and DynamoDB, overriding kinesisEndpoint and dynamoDBEndpoint",
    defaultValue: "",
    parse: (value) => (value === "" || isEndpointUrl(value) ? value : undefined),
    allowed: "an http or https URL",
  },
  {
    flag: "log-level",
    description: "silent, error, warn, info or debug",
    defaultValue: "info",
    parse: (value) => (/^(silent|error|warn|info|debug)$/.test(value) ? value : undefined),
    allowed: "one of silent, error, warn, info, debug",
  },
];

export function kclHelp(): string {
  const lines = [
    "Usage: tributary kcl --properties <file> [options]",
    "",
    "Runs record processors written for the KCL multilang protocol (aws-kcl, amazon_kclpy) as the",
    "KCL MultiLangDaemon does, with the same properties file.",
    "",
    "Options:",
    ...optionHelpLines(kclOptions),
  ];
  lines.push("", "Credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID, ~/.aws/credentials, …).");
  return lines.join("\n");
}

function fail(message: string): never {
  process.stderr.write(`tributary: ${message}\n`);
  process.exit(2);
}

/** Command line over environment over defaults, as `tributary server` resolves its options. */
function resolveKclOptions(args: string[]): Record<string, string> | undefined {
  const commandLine = parseCommandLine(args, kclOptions);
  if (!commandLine.ok) fail(commandLine.showHelp ? `${commandLine.message}\n\n${kclHelp()}` : commandLine.message);
  if (commandLine.help) return undefined;
  const resolved = resolveOptions(kclOptions, commandLine.cliValues, process.env);
  if (!resolved.ok) fail(resolved.message);
  const values = Object.fromEntries(Object.entries(resolved.values).map(([flag, value]) => [flag, String(value)]));
  if (values.properties === "") fail(`--properties is required\n\n${kclHelp()}`);
  return values;
}

/** Reads and maps the properties file; any problem stops the start with the file's name and the reason. */
export function loadKclSettings(path: string, logger: Logger): KclSettings {
  let text = "";
  try {
    const sizeBytes = statSync(path).size;
    if (sizeBytes > propertiesBytesMax) fail(`the properties file ${path} is ${sizeBytes} bytes; at most ${propertiesBytesMax} are read`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    fail(`cannot read the properties file ${path}: ${(error as Error).message}`);
  }
  const parsed = parseProperties(text);
  if (!parsed.ok) fail(`${path}: ${parsed.message}`);
  const mapped = kclSettings(parsed.properties);
  if (!mapped.ok) fail(`${path}: ${mapped.message}`);
  for (const key of mapped.ignoredKeys) logger.debug({ key }, "ignoring a property of the Java daemon that has no meaning here");
  for (const key of mapped.unknownKeys) logger.warn({ key, path }, "unknown property; ignored");
  return mapped.settings;
}

/**
 * The child's command: a first word without a slash that names a file beside the properties
 * file runs that file (the samples' `executableName = sample_kclpy_app.py`); otherwise PATH finds it.
 */
function childCommand(settings: KclSettings, propertiesDir: string): string[] {
  const [file, ...args] = settings.command;
  const besideProperties = join(propertiesDir, file!);
  return !file!.includes("/") && existsSync(besideProperties) ? [besideProperties, ...args] : [file!, ...args];
}

export function consumerOptions(settings: KclSettings, clients: Pick<ConsumerOptions, "kinesis" | "dynamodb">, processorFactory: ConsumerOptions["processorFactory"]): ConsumerOptions {
  return {
    ...clients,
    ...(settings.streamArn !== undefined ? { StreamARN: settings.streamArn } : { StreamName: settings.streamName! }),
    applicationName: settings.applicationName,
    ...(settings.leaseTableName !== undefined && { leaseTableName: settings.leaseTableName }),
    ...(settings.workerId !== undefined && { workerId: settings.workerId }),
    ...(settings.initialPosition !== undefined && { initialPosition: settings.initialPosition }),
    ...(settings.failoverTimeMs !== undefined && { failoverTimeMs: settings.failoverTimeMs }),
    ...(settings.maxLeasesForWorker !== undefined && { maxLeasesForWorker: settings.maxLeasesForWorker }),
    ...(settings.shardSyncIntervalMs !== undefined && { shardSyncIntervalMs: settings.shardSyncIntervalMs }),
    retrieval: settings.retrieval,
    processorFactory,
  };
}

export async function runKcl(args: string[]): Promise<void> {
  const options = resolveKclOptions(args);
  if (options === undefined) {
    process.stdout.write(kclHelp() + "\n");
    return;
  }
  const logger = createLogger(options["log-level"] as LogLevel);
  const propertiesPath = resolve(options.properties!);
  const settings = loadKclSettings(propertiesPath, logger);
  const propertiesDir = dirname(propertiesPath);
  const command = childCommand(settings, propertiesDir);

  // The KCL's default region is us-east-1; AWS_REGION, as the SDK reads it, comes first.
  const region = settings.regionName ?? process.env.AWS_REGION ?? "us-east-1";
  const kinesisEndpoint = options.endpoint || settings.kinesisEndpoint;
  const dynamoDBEndpoint = options.endpoint || settings.dynamoDBEndpoint;
  const processorEnv = silenceSdkNodeVersionWarning();
  const kinesis = new KinesisClient({ region, ...(kinesisEndpoint && { endpoint: kinesisEndpoint }) });
  const dynamodb = new DynamoDBClient({ region: settings.dynamoDBRegionName ?? region, ...(dynamoDBEndpoint && { endpoint: dynamoDBEndpoint }) });

  const processorFactory = (shardId: string) =>
    new MultiLangProcessor({
      command,
      cwd: propertiesDir,
      env: processorEnv,
      logger: logger.child({ shardId }),
      ...(settings.responseTimeoutMs !== undefined && { responseTimeoutMs: settings.responseTimeoutMs }),
    });
  // Loaded once the options and the properties file have passed, so --help and a bad file answer at once.
  const { Consumer } = await import("../../client/consumer/consumer.js");
  const consumer = new Consumer(consumerOptions(settings, { kinesis, dynamodb }, processorFactory));

  onStopSignals("shutdown", async (signal) => {
    const graceMs = settings.shutdownGraceMs ?? shutdownGraceMsDefault;
    logger.info({ signal, graceMs }, "shutting down: record processors get shutdownRequested, then leases are released");
    // The process edge: wall time, and never what keeps the process alive (unref).
    systemClock.setTimeout(
      () => {
        process.stderr.write(`tributary: graceful shutdown took longer than ${graceMs} ms, exiting\n`);
        process.exit(1);
      },
      graceMs,
      { unref: true },
    );
    await consumer.shutdown();
    kinesis.destroy();
    dynamodb.destroy();
  });

  logger.info(
    { applicationName: settings.applicationName, stream: settings.streamArn ?? settings.streamName, command, retrieval: settings.retrieval.mode },
    "starting the MultiLangDaemon",
  );
  try {
    await consumer.start();
  } catch (error) {
    // The stream, the lease table or the credentials are wrong: say which call failed, without a stack.
    const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
    process.stderr.write(`tributary kcl: cannot start: ${name}: ${message}\n`);
    kinesis.destroy();
    dynamodb.destroy();
    process.exit(1);
  }
}
