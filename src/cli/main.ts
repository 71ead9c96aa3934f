#!/usr/bin/env node
/**
 * The `tributary` command. The only place besides util/ that reads process.env and the real
 * clock: it builds the deps object every layer below receives.
 */
import { readFileSync, statSync } from "node:fs";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { onStopSignals } from "./stop-signals.js";
import { authOptionsProblem, masterKeyEnvName, parseCommandLine, resolveServerOptions, serverHelp, serverOptions, type ServerOptionValues } from "./server-options.js";
import { startApp, requestBytesMaxDefault, type AuthConfig } from "../server/app.js";
import { CredentialsFile } from "../auth/credentials-file.js";
import { tlsMaterialProblem, type TlsMaterial } from "../server/tls.js";
import { loadOrCreateSelfSigned } from "../server/tls-self-signed.js";
import { faultConfigBytesMax, parseFaultRules, type FaultConfig, type LimitsMode } from "../streams/index.js";
import { createEmbeddedEngine, createMemoryEngine, type FsyncPolicy } from "../storage/index.js";
import {
  dataDirMasterKey, ephemeralMasterKey, fixedMasterKey, parseMasterKey, readMasterKeyFile, type MasterKeySource,
} from "../storage/encryption/index.js";
import { systemClock } from "../util/clock.js";
import { systemRandom } from "../util/random.js";
import { createLogger, type Logger, type LogLevel } from "../util/logger.js";

const usage = `Usage: tributary <command> [options]

Commands:
  server        run the Tributary server (tributary server --help for its options)
  kcl           run KCL multilang record processors (tributary kcl --help)

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
  if (command === "kcl") {
    // Loaded only for this command: it brings the AWS SDK clients, which the server never needs.
    const { runKcl } = await import("./kcl/index.js");
    await runKcl(rest);
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

/**
 * The master key for encryption at rest (docs/encryption.md): TRIBUTARY_MASTER_KEY, or the
 * --master-key-file read now (a bad key stops the start), or else a key the server generates in
 * the data directory on first need — in memory only for the memory engine, which keeps nothing.
 */
async function masterKeySource(keyFile: string, dataDir: string, storage: string, logger: Logger): Promise<MasterKeySource> {
  const keyText = process.env[masterKeyEnvName];
  if (keyText !== undefined && keyText !== "") {
    if (keyFile !== "") fail(`give the master key one way: ${masterKeyEnvName} or --master-key-file, not both`);
    const parsed = parseMasterKey(keyText);
    if (!parsed.ok) fail(`${masterKeyEnvName} does not hold a master key: ${parsed.reason} (expected base64 of 32 bytes)`);
    return fixedMasterKey(parsed.key, masterKeyEnvName);
  }
  if (keyFile !== "") {
    const path = resolve(keyFile);
    const key = await readMasterKeyFile(path, logger).catch((error: Error) => fail(error.message));
    return fixedMasterKey(key, `the master key file ${path}`);
  }
  return storage === "memory" ? ephemeralMasterKey() : dataDirMasterKey(dataDir, logger);
}

/**
 * TLS for the listener: --tls-cert with --tls-key (read now; a pair that cannot serve stops the
 * start), or --tls for a self-signed pair kept in the data directory, or none.
 */
async function tlsMaterial(certPath: string, keyPath: string, selfSigned: boolean, dataDir: string, host: string, logger: Logger): Promise<TlsMaterial | undefined> {
  if (certPath === "" && keyPath === "") {
    if (!selfSigned) return undefined;
    return loadOrCreateSelfSigned({ dataDir, host, clock: systemClock, random: systemRandom, logger }).catch((error: Error) =>
      fail(`cannot set up the self-signed TLS certificate in ${dataDir}: ${error.message}`),
    );
  }
  if (selfSigned) fail("give TLS one way: --tls-cert and --tls-key, or --tls for a self-signed certificate, not both");
  if (certPath === "") fail("--tls-key needs --tls-cert");
  if (keyPath === "") fail("--tls-cert needs --tls-key");
  const read = (path: string, what: string) => {
    try {
      return readFileSync(resolve(path), "utf8");
    } catch (error) {
      return fail(`cannot read the TLS ${what} ${path}: ${(error as Error).message}`);
    }
  };
  const material = { cert: read(certPath, "certificate"), key: read(keyPath, "key") };
  const problem = tlsMaterialProblem(material);
  if (problem !== undefined) fail(`cannot serve TLS with ${certPath} and ${keyPath}: ${problem}`);
  return material;
}

/** `--auth` (docs/auth.md), after authOptionsProblem passed: sigv4 loads the credentials file now; a bad file stops the start. */
async function authConfig(options: ServerOptionValues, logger: Logger): Promise<AuthConfig> {
  if (options.auth !== "sigv4") {
    if (options["allow-unauthenticated"] === "true") logger.warn({ host: options.host }, "serving without authentication (--allow-unauthenticated)");
    return { mode: "none" };
  }
  const path = resolve(String(options["credentials-file"]));
  const credentials = await CredentialsFile.open({ path, clock: systemClock, logger }).catch((error: Error) => fail(error.message));
  logger.info({ path, accessKeys: credentials.size }, "SigV4 authentication on");
  return { mode: "sigv4", credentials };
}

async function runServer(args: string[]): Promise<void> {
  const commandLine = parseCommandLine(args, serverOptions);
  if (!commandLine.ok) fail(`${commandLine.message}\n\n${serverHelp()}`);
  if (commandLine.help) {
    process.stdout.write(serverHelp() + "\n");
    return;
  }
  const cliValues = commandLine.cliValues;
  const resolved = resolveServerOptions(cliValues, process.env);
  if (!resolved.ok) fail(resolved.message);
  const options = resolved.values;
  const faults = loadFaults(String(options.faults));
  const authProblem = authOptionsProblem(options);
  if (authProblem !== undefined) fail(authProblem);

  const logger = createLogger(options["log-level"] as LogLevel);
  const dataDir = resolve(String(options["data-dir"]));
  mkdirSync(dataDir, { recursive: true });
  const tls = await tlsMaterial(String(options["tls-cert"]), String(options["tls-key"]), options.tls === "true", dataDir, String(options.host), logger);
  const auth = await authConfig(options, logger);
  const masterKey = await masterKeySource(String(options["master-key-file"]), dataDir, String(options.storage), logger);
  const storage =
    options.storage === "memory"
      ? createMemoryEngine(systemRandom)
      : await createEmbeddedEngine({
          dataDir,
          fsync: options.fsync as FsyncPolicy,
          clock: systemClock,
          random: systemRandom,
          logger,
          accountId: String(options["account-id"]),
        }).catch((error: Error) => fail(`cannot open the data directory ${dataDir}: ${error.message}`));
  const app = await startApp({
    clock: systemClock,
    random: systemRandom,
    logger,
    storage,
    masterKey,
    config: {
      host: String(options.host),
      port: Number(options.port),
      requestBytesMax: requestBytesMaxDefault,
      faults,
      auth,
      ...(tls && { tls }),
      streams: {
        region: String(options.region),
        accountId: String(options["account-id"]),
        createStreamMs: Number(options["create-stream-ms"]),
        deleteStreamMs: Number(options["delete-stream-ms"]),
        updateStreamMs: Number(options["update-stream-ms"]),
        shardLimit: Number(options["shard-limit"]),
        limits: options.limits as LimitsMode,
      },
    },
  }).catch((error: NodeJS.ErrnoException) => fail(`cannot start: ${error.code === undefined ? "" : `${error.code} `}${error.message}`));

  const urls = app.tlsUrl === undefined ? app.url : `${app.url} and ${app.tlsUrl}`;
  process.stdout.write(`Tributary ${version()} listening on ${urls} (storage: ${storage.name}, data: ${dataDir})\n`);

  onStopSignals("stop", (signal) => {
    logger.info({ signal }, "stopping: finishing in-flight requests");
    return app.stop();
  });
}

main(process.argv.slice(2)).catch((error) => fail(String(error?.stack ?? error)));
