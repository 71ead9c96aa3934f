/**
 * Starts a server from checked option values (server-options.ts): the one path `tributary server`
 * (src/cli/main.ts) and the embedding API (src/index.ts) share. It opens the files the options
 * name (fault rules, init file, TLS material, credentials, master key), the storage engine, and
 * then the app. A problem a user can fix — a bad file, a data directory that cannot be used —
 * is thrown as a StartError whose message is one line that says what is wrong.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startApp, requestBytesMaxDefault, type AuthConfig, type RunningApp } from "./app.js";
import { authOptionsProblem, functionsEnabledOf, isLoopbackHost, s3EndpointOf, type ServerOptionValues } from "./server-options.js";
import { tlsMaterialProblem, type TlsMaterial } from "./tls.js";
import { loadOrCreateSelfSigned, selfSignedPaths } from "./tls-self-signed.js";
import { InitError, checkInitDocument, readInitFile, type InitDocument } from "./init-file.js";
import { CredentialsFile } from "../auth/credentials-file.js";
import { readTrustedCaFile } from "./trusted-ca.js";
import { consolePages } from "../console/index.js";
import { faultConfigBytesMax, parseFaultRules, type FaultConfig, type LimitsMode } from "../streams/index.js";
import { createEmbeddedEngine, createMemoryEngine, createNatsEngine, type FsyncPolicy } from "../storage/index.js";
import type { StorageEngine } from "../storage/types.js";
import {
  dataDirMasterKey, ephemeralMasterKey, fixedMasterKey, parseMasterKey, readMasterKeyFile, type MasterKeySource,
} from "../streams/encryption/crypto/index.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";

/** A problem with the options or the files they name: the CLI prints the message and exits 2. */
export class StartError extends Error {
  override readonly name = "StartError";
}

export interface StartDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
}

export interface StartInputs {
  /** Every server option, checked (resolveOptions over serverOptions). */
  values: ServerOptionValues;
  /** The master key itself (base64 of 32 bytes) and what to call it in messages (`TRIBUTARY_MASTER_KEY`). */
  masterKey?: { text: string; name: string };
  /** An init document given as a value rather than as the `init` path. */
  initDocument?: unknown;
  /** Fault rules given as a value rather than as the `faults` path. */
  faultsDocument?: unknown;
  /** The secret of `--s3-access-key-id` (TRIBUTARY_S3_SECRET_ACCESS_KEY, or the embedding option). */
  s3SecretAccessKey?: string;
}

export interface StartedServer {
  app: RunningApp;
  /** The data directory in use, or undefined when nothing is kept on disk (--storage memory without --tls). */
  dataDir: string | undefined;
  /** Where the self-signed TLS pair is kept (--tls). */
  tlsDir: string | undefined;
  storageName: string;
}

export async function startConfiguredServer(inputs: StartInputs, deps: StartDeps): Promise<StartedServer> {
  const options = inputs.values;
  const authProblem = authOptionsProblem(options);
  if (authProblem !== undefined) throw new StartError(authProblem);
  const trustedCa = String(options["firehose-ca-file"]) === "" ? undefined : await readTrustedCaFile(String(options["firehose-ca-file"]));
  if (trustedCa?.ok === false) throw new StartError(trustedCa.message);
  const s3EndpointGiven = s3EndpointOf(options, inputs.s3SecretAccessKey);
  if (typeof s3EndpointGiven === "string") throw new StartError(s3EndpointGiven);
  const s3Endpoint = s3EndpointGiven && trustedCa?.ok ? { ...s3EndpointGiven, trustedCaPem: trustedCa.pem } : s3EndpointGiven;
  const functionsEnabled = functionsEnabledOf(options);
  if (typeof functionsEnabled === "string") throw new StartError(functionsEnabled);
  if (functionsEnabled && options.auth !== "sigv4" && !isLoopbackHost(String(options.host))) {
    deps.logger.warn({ host: options.host }, "running Lambda functions for unauthenticated callers (--functions on)");
  }
  const faults = await loadFaults(String(options.faults), inputs.faultsDocument);
  const init = await loadInit(String(options.init), inputs.initDocument);
  const memory = options.storage === "memory";
  // With nats the cluster holds the data; the data directory keeps only what is node-local
  // (Lambda sandboxes, the self-signed TLS pair).
  const nats = options.storage === "nats";
  const natsProblem = natsOptionsProblem(options);
  if (natsProblem !== undefined) throw new StartError(natsProblem);
  const dataDir = resolve(String(options["data-dir"]));
  const selfSigned = options.tls === "true";
  // The memory engine keeps nothing on disk, so the data directory is neither made nor mentioned;
  // only --tls still keeps its self-signed pair there, so clients that trust it go on trusting it.
  const tls = await tlsMaterial(String(options["tls-cert"]), String(options["tls-key"]), selfSigned, dataDir, String(options.host), deps);
  const masterKey = await masterKeySource(inputs.masterKey, String(options["master-key-file"]), dataDir, memory, nats, deps.logger);
  const auth = await authConfig(options, deps);
  const sandboxes = await sandboxRoot(memory, dataDir).catch((error: Error) => {
    if (auth.mode === "sigv4") auth.credentials.close();
    throw error;
  });
  let storage: StorageEngine;
  try {
    storage = memory ? createMemoryEngine(deps.random) : nats ? await openNats(options, deps) : await openEmbedded(dataDir, options, deps);
  } catch (error) {
    if (auth.mode === "sigv4") auth.credentials.close();
    await sandboxes.remove();
    throw error;
  }
  const app = await startApp({
    ...deps,
    storage,
    masterKey,
    pages: (running) => consolePages(auth.mode === "sigv4" ? { region: running.config.region, signed: true } : { region: running.config.region, accountId: running.config.accountId, signed: false }),
    config: {
      host: String(options.host),
      port: Number(options.port),
      requestBytesMax: requestBytesMaxDefault,
      ...(faults && { faults }),
      ...(init && { init }),
      auth,
      ...(tls && { tls }),
      ...(s3Endpoint && { s3Endpoint }),
      lambda: { functionsEnabled, sandboxRoot: sandboxes.path },
      ...(trustedCa?.ok && { firehose: { trustedCaPem: trustedCa.pem } }),
      metrics: { enabled: options.metrics === "on", retentionHours: Number(options["metrics-retention-hours"]) },
      accessLog: options["access-log"] === "true",
      ...(!memory && !nats && { dataDir }),
      region: String(options.region),
      accountId: String(options["account-id"]),
      streams: {
        createStreamMs: Number(options["create-stream-ms"]),
        deleteStreamMs: Number(options["delete-stream-ms"]),
        updateStreamMs: Number(options["update-stream-ms"]),
        shardLimit: Number(options["shard-limit"]),
        limits: options.limits as LimitsMode,
      },
    },
  }).catch(async (error: NodeJS.ErrnoException) => {
    await sandboxes.remove();
    // An entry's error names its place in the file (streams[1]); the file itself is named here.
    if (error instanceof InitError) throw new StartError(String(options.init) === "" || inputs.initDocument !== undefined ? `init: ${error.message}` : `the init file ${String(options.init)}: ${error.message}`);
    if (error instanceof StartError) throw error;
    throw new StartError(`cannot start: ${error.code === undefined ? "" : `${error.code} `}${error.message}`);
  });
  const stopAndClean: RunningApp = { ...app, stop: () => app.stop().finally(sandboxes.remove) };
  return { app: stopAndClean, dataDir: memory || nats ? undefined : dataDir, tlsDir: selfSigned && tls ? selfSignedPaths(dataDir).dir : undefined, storageName: storage.name };
}

/**
 * Where Lambda sandboxes get their working directories and unpacked code: caches rebuilt from
 * storage, so `<data-dir>/lambda` beside the data it is rebuilt from, or with the memory engine
 * (which keeps nothing on disk) a fresh temporary directory, removed when the server stops.
 */
async function sandboxRoot(memory: boolean, dataDir: string): Promise<{ path: string; remove: () => Promise<void> }> {
  if (!memory) return { path: join(dataDir, "lambda"), remove: async () => undefined };
  const path = await mkdtemp(join(tmpdir(), "tributary-lambda-")).catch((error: Error) => {
    throw new StartError(`cannot make a temporary directory for Lambda sandboxes in ${tmpdir()}: ${error.message}`);
  });
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

async function openEmbedded(dataDir: string, options: ServerOptionValues, deps: StartDeps): Promise<StorageEngine> {
  try {
    // The engine makes the directory (and its parents) itself.
    return await createEmbeddedEngine({
      dataDir,
      fsync: options.fsync as FsyncPolicy,
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
      accountId: String(options["account-id"]),
    });
  } catch (error) {
    // The engine's DataDirError already names the directory in a line of its own.
    const message = (error as Error).name === "DataDirError" ? (error as Error).message : `cannot open the data directory ${dataDir}: ${(error as Error).message}`;
    throw new StartError(message);
  }
}

/** What is wrong with the --nats-* options, if anything: they go with --storage nats, which needs --nats-url. */
function natsOptionsProblem(options: ServerOptionValues): string | undefined {
  const given = ["nats-url", "nats-creds", "nats-tls-ca"].filter((flag) => String(options[flag]) !== "");
  if (options.storage !== "nats") return given.length === 0 ? undefined : `--${given[0]} is used only with --storage nats`;
  if (String(options["nats-url"]) === "") return "--storage nats needs --nats-url (nats://host:4222, comma-separated for several servers)";
  return undefined;
}

/** The NATS JetStream engine (docs/cluster.md): a start fails, in one line, when NATS cannot be reached in time, is older than 2.10, or has no JetStream. */
async function openNats(options: ServerOptionValues, deps: StartDeps): Promise<StorageEngine> {
  const servers = String(options["nats-url"]).split(",");
  const replicas = options["nats-replicas"];
  try {
    return await createNatsEngine(
      {
        servers,
        prefix: String(options["nats-prefix"]),
        ...(typeof replicas === "number" && { replicas }),
        ...(String(options["nats-creds"]) !== "" && { credsFile: resolve(String(options["nats-creds"])) }),
        ...(String(options["nats-tls-ca"]) !== "" && { tlsCaFile: resolve(String(options["nats-tls-ca"])) }),
      },
      deps,
    );
  } catch (error) {
    const message = (error as Error).name === "NatsEngineError" ? (error as Error).message : `cannot open storage on NATS at ${servers.join(",")}: ${(error as Error).message}`;
    throw new StartError(message);
  }
}

/** The fault rules, from the `faults` path or given as a value, checked before anything starts. */
async function loadFaults(path: string, document: unknown): Promise<FaultConfig | undefined> {
  if (document !== undefined) {
    const parsed = parseFaultRules(JSON.stringify(document));
    if (!parsed.ok) throw new StartError(`invalid fault rules: ${parsed.message}`);
    return parsed.config;
  }
  if (path === "") return undefined;
  let text = "";
  try {
    const sizeBytes = (await stat(path)).size;
    if (sizeBytes > faultConfigBytesMax) throw new Error(`it is ${sizeBytes} bytes; at most ${faultConfigBytesMax} are read`);
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new StartError(`cannot read the fault rules file ${path}: ${(error as Error).message}`);
  }
  const parsed = parseFaultRules(text);
  if (!parsed.ok) throw new StartError(`invalid fault rules in ${path}: ${parsed.message}`);
  return parsed.config;
}

/** The init document, from the `init` path or given as a value; its entries are checked when they run. */
async function loadInit(path: string, document: unknown): Promise<InitDocument | undefined> {
  if (document !== undefined) {
    const checked = checkInitDocument(document);
    if (!checked.ok) throw new StartError(`init: ${checked.message}`);
    return checked.document;
  }
  if (path === "") return undefined;
  return readInitFile(path).catch((error: Error) => {
    throw new StartError(error.message);
  });
}

/**
 * The master key for encryption at rest (docs/encryption.md): given (TRIBUTARY_MASTER_KEY), or the
 * master key file read now (a bad key stops the start), or else a key the server generates in
 * the data directory on first need — in memory only for the memory engine, which keeps nothing.
 */
async function masterKeySource(given: StartInputs["masterKey"], keyFile: string, dataDir: string, memory: boolean, nats: boolean, logger: Logger): Promise<MasterKeySource> {
  if (given !== undefined && given.text !== "") {
    if (keyFile !== "") throw new StartError(`give the master key one way: ${given.name} or --master-key-file, not both`);
    const parsed = parseMasterKey(given.text);
    if (!parsed.ok) throw new StartError(`${given.name} does not hold a master key: ${parsed.reason} (expected base64 of 32 bytes)`);
    return fixedMasterKey(parsed.key, given.name);
  }
  if (keyFile !== "") {
    const path = resolve(keyFile);
    const key = await readMasterKeyFile(path, logger).catch((error: Error) => {
      throw new StartError(error.message);
    });
    return fixedMasterKey(key, `the master key file ${path}`);
  }
  if (nats) return noSharedMasterKey;
  return memory ? ephemeralMasterKey() : dataDirMasterKey(dataDir, logger);
}

/**
 * With --storage nats every node must seal and open records with the same master key, so none is
 * generated in a node's own data directory: without one given, encrypting a stream fails, saying how.
 */
const noSharedMasterKey: MasterKeySource = {
  description: "none given; with --storage nats every node needs the same key",
  existing: async () => undefined,
  obtain: async () => {
    throw new Error("with --storage nats every node needs the same master key: give it with --master-key-file or TRIBUTARY_MASTER_KEY (docs/encryption.md, docs/cluster.md)");
  },
};

/**
 * TLS for the listener: a certificate and key (read now; a pair that cannot serve stops the
 * start), or a self-signed pair kept in the data directory, or none.
 */
async function tlsMaterial(certPath: string, keyPath: string, selfSigned: boolean, dataDir: string, host: string, deps: StartDeps): Promise<TlsMaterial | undefined> {
  if (certPath === "" && keyPath === "") {
    if (!selfSigned) return undefined;
    return loadOrCreateSelfSigned({ dataDir, host, clock: deps.clock, random: deps.random, logger: deps.logger }).catch((error: Error) => {
      throw new StartError(`cannot set up the self-signed TLS certificate in ${dataDir}: ${error.message}`);
    });
  }
  if (selfSigned) throw new StartError("give TLS one way: --tls-cert and --tls-key, or --tls for a self-signed certificate, not both");
  if (certPath === "") throw new StartError("--tls-key needs --tls-cert");
  if (keyPath === "") throw new StartError("--tls-cert needs --tls-key");
  const read = async (path: string, what: string) => {
    try {
      return await readFile(resolve(path), "utf8");
    } catch (error) {
      throw new StartError(`cannot read the TLS ${what} ${path}: ${(error as Error).message}`);
    }
  };
  const material = { cert: await read(certPath, "certificate"), key: await read(keyPath, "key") };
  const problem = tlsMaterialProblem(material);
  if (problem !== undefined) throw new StartError(`cannot serve TLS with ${certPath} and ${keyPath}: ${problem}`);
  return material;
}

/** `auth` (docs/auth.md), after authOptionsProblem passed: sigv4 loads the credentials file now; a bad file stops the start. */
async function authConfig(options: ServerOptionValues, deps: StartDeps): Promise<AuthConfig> {
  if (options.auth !== "sigv4") {
    if (options["allow-unauthenticated"] === "true") deps.logger.warn({ host: options.host }, "serving without authentication (--allow-unauthenticated)");
    return { mode: "none" };
  }
  const path = resolve(String(options["credentials-file"]));
  const credentials = await CredentialsFile.open({ path, clock: deps.clock, logger: deps.logger }).catch((error: Error) => {
    throw new StartError(error.message);
  });
  deps.logger.info({ path, accessKeys: credentials.size }, "SigV4 authentication on");
  return { mode: "sigv4", credentials };
}
