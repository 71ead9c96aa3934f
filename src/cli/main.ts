#!/usr/bin/env node
/**
 * The `tributary` command. The only place besides util/ that reads process.env and the real
 * clock: it builds the deps object every layer below receives.
 */
import { parseArgs } from "node:util";
import { readFileSync, statSync } from "node:fs";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { resolveServerOptions, serverHelp, serverOptions } from "./server-options.js";
import { startApp, requestBytesMaxDefault } from "../server/app.js";
import { faultConfigBytesMax, parseFaultRules, type FaultConfig } from "../streams/index.js";
import { createEmbeddedEngine, createMemoryEngine, type FsyncPolicy } from "../storage/index.js";
import { systemClock } from "../util/clock.js";
import { systemRandom } from "../util/random.js";
import { createLogger, type LogLevel } from "../util/logger.js";

const usage = `Usage: tributary <command> [options]

Commands:
  server        run the Tributary server (tributary server --help for its options)

Options:
  -h, --help    show this help
  -v, --version print the version`;

/** The package's version: from package.json two levels up (src/cli, dist/cli) or one (the dist bundle). */
function version(): string {
  for (const relative of ["../../package.json", "../package.json"]) {
    try {
      const parsed = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (parsed.name === "tributary" && parsed.version) return parsed.version;
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
  if (command !== "server") fail(`unknown command '${command}'\n\n${usage}`);
  await runServer(rest);
}

/** The `--faults` file's rules, checked before anything starts; a bad file stops the server with the reason. */
function loadFaults(path: string): FaultConfig | undefined {
  if (path === "") return undefined;
  let text = "";
  try {
    const sizeBytes = statSync(path).size;
    if (sizeBytes > faultConfigBytesMax) fail(`the fault rules file ${path} is ${sizeBytes} bytes; at most ${faultConfigBytesMax} are read`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    fail(`cannot read the fault rules file ${path}: ${(error as Error).message}`);
  }
  const parsed = parseFaultRules(text);
  if (!parsed.ok) fail(`invalid fault rules in ${path}: ${parsed.message}`);
  return parsed.config;
}

async function runServer(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        ...Object.fromEntries(serverOptions.map((spec) => [spec.flag, { type: "string" as const }])),
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${serverHelp()}`);
  }
  if (parsed.values.help) {
    process.stdout.write(serverHelp() + "\n");
    return;
  }
  const cliValues = Object.fromEntries(serverOptions.map((spec) => [spec.flag, (parsed.values as Record<string, unknown>)[spec.flag] as string | undefined]));
  const resolved = resolveServerOptions(cliValues, process.env);
  if (!resolved.ok) fail(resolved.message);
  const options = resolved.values;
  const faults = loadFaults(String(options.faults));

  const logger = createLogger(options["log-level"] as LogLevel);
  const dataDir = resolve(String(options["data-dir"]));
  mkdirSync(dataDir, { recursive: true });
  const storage =
    options.storage === "memory"
      ? createMemoryEngine(systemRandom)
      : await createEmbeddedEngine({
          dataDir,
          fsync: options.fsync as FsyncPolicy,
          clock: systemClock,
          random: systemRandom,
          logger,
        }).catch((error: Error) => fail(`cannot open the data directory ${dataDir}: ${error.message}`));
  const app = await startApp({
    clock: systemClock,
    random: systemRandom,
    logger,
    storage,
    config: {
      host: String(options.host),
      port: Number(options.port),
      requestBytesMax: requestBytesMaxDefault,
      faults,
      streams: {
        region: String(options.region),
        accountId: String(options["account-id"]),
        createStreamMs: Number(options["create-stream-ms"]),
        deleteStreamMs: Number(options["delete-stream-ms"]),
        updateStreamMs: Number(options["update-stream-ms"]),
        shardLimit: Number(options["shard-limit"]),
      },
    },
  }).catch((error: NodeJS.ErrnoException) => fail(`cannot start: ${error.code ?? ""} ${error.message}`.trim()));

  process.stdout.write(`Tributary ${version()} listening on ${app.url} (storage: ${storage.name}, data: ${dataDir})\n`);

  let signals = 0;
  const shutdown = (signal: string) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`tributary: second ${signal}, exiting now\n`);
      process.exit(1);
    }
    logger.info({ signal }, "stopping: finishing in-flight requests");
    app.stop().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`tributary: stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main(process.argv.slice(2)).catch((error) => fail(String(error?.stack ?? error)));
