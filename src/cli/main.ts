#!/usr/bin/env node
/**
 * The `tributary` command. The only place besides util/ that reads process.env and the real
 * clock: it builds the deps object every layer below receives.
 */
import { readFileSync } from "node:fs";
import { onStopSignals } from "./stop-signals.js";
import { masterKeyEnvName, parseCommandLine, resolveServerOptions, s3SecretEnvName, serverHelp, serverOptions } from "./server-options.js";
import { StartError, startConfiguredServer } from "../server/start-server.js";
import { systemClock } from "../util/clock.js";
import { systemRandom } from "../util/random.js";
import { createLogger, type LogFormat, type LogLevel } from "../util/logger.js";

const usage = `Usage: tributary <command> [options]

Commands:
  server        run the Tributary server (tributary server --help for its options)
  logs          print a Lambda function's log lines from a running server (tributary logs --help)
  kcl           run KCL multilang record processors (tributary kcl --help)
  analytics     run a Kinesis Data Analytics SQL application over recorded input (tributary analytics run --help)
  streams       list streams with their status, mode, shard count and retention
  tail          print a stream's records as they arrive, across reshards (tributary tail --help)
  put           put stdin's lines into a stream, one record a line (tributary put --help)
  export        copy a stream's records to a JSON-lines file, resumably (tributary export --help)
  import        put an exported file's records into a stream, resumably (tributary import --help)
  stats         per-shard incoming and outgoing rates and iterator ages (tributary stats --help)

Options:
  -h, --help    show this help
  -v, --version print the version`;

/** The package's version: from package.json two levels up (src/cli, dist/cli) or one (the dist bundle). */
function version(): string {
  for (const relative of ["../../package.json", "../package.json"]) {
    try {
      // Recognised by its command rather than its name, which the registry decides.
      const parsed = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as { bin?: Record<string, string>; version?: string };
      if (parsed.bin?.tributary !== undefined && parsed.version) return parsed.version;
    } catch {
      // Not this one.
    }
  }
  return "unknown";
}

function fail(message: string): never {
  process.stderr.write(`tributary: ${message}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    process.stdout.write(usage + "\n");
    return;
  }
  if (command === "-v" || command === "--version") {
    process.stdout.write(version() + "\n");
    return;
  }
  if (command === "kcl") {
    // Loaded only for this command: it brings the AWS SDK clients, which the server never needs.
    const { runKcl } = await import("./kcl/index.js");
    await runKcl(rest);
    return;
  }
  if (command === "logs") {
    const { runLogs } = await import("./logs-command.js");
    process.exitCode = await runLogs(rest);
    return;
  }
  if (command === "analytics") {
    const { runAnalyticsCommand, processIo } = await import("./analytics-command.js");
    process.exitCode = await runAnalyticsCommand(rest, processIo);
    return;
  }
  if (["streams", "tail", "put", "export", "import", "stats"].includes(command)) {
    const { runTool } = await import("./tools/index.js");
    process.exitCode = await runTool(command, rest);
    return;
  }
  if (command !== "server") fail(`unknown command '${command}'\n\n${usage}`);
  await runServer(rest);
}

async function runServer(args: string[]): Promise<void> {
  const commandLine = parseCommandLine(args, serverOptions);
  if (!commandLine.ok) fail(commandLine.showHelp ? `${commandLine.message}\n\n${serverHelp()}` : commandLine.message);
  if (commandLine.help) {
    process.stdout.write(serverHelp() + "\n");
    return;
  }
  const resolved = resolveServerOptions(commandLine.cliValues, process.env);
  if (!resolved.ok) fail(resolved.message);
  const options = resolved.values;
  const logger = createLogger(options["log-level"] as LogLevel, options["log-format"] as LogFormat);
  const masterKeyText = process.env[masterKeyEnvName];
  const s3Secret = process.env[s3SecretEnvName];
  const started = await startConfiguredServer(
    {
      values: options,
      ...(masterKeyText !== undefined && { masterKey: { text: masterKeyText, name: masterKeyEnvName } }),
      ...(s3Secret !== undefined && { s3SecretAccessKey: s3Secret }),
    },
    { clock: systemClock, random: systemRandom, logger },
  ).catch((error: Error) => fail(error instanceof StartError ? error.message : String(error.stack ?? error)));
  const { app } = started;

  // Before the ready line: whoever acts on that line (a supervisor, a test) may signal at once.
  onStopSignals("stop", (signal) => {
    logger.info({ signal }, "stopping: finishing in-flight requests");
    return app.stop();
  });

  // The ready line: printed once the server listens, which is after the init file is applied.
  const urls = app.tlsUrl === undefined ? app.url : `${app.url} and ${app.tlsUrl}`;
  const where = started.dataDir !== undefined ? `, data: ${started.dataDir}` : started.tlsDir !== undefined ? `, tls: ${started.tlsDir}` : "";
  process.stdout.write(`Tributary ${version()} listening on ${urls} (storage: ${started.storageName}${where})\n`);
}

main(process.argv.slice(2)).catch((error) => fail(String(error?.stack ?? error)));
