/**
 * The embedded engine: a durable catalog and a segmented log per shard, all under one data
 * directory (docs/formats/log-segment.md, "Data directory"):
 *
 *   <dataDir>/format             "tributary-data <version>": written once the catalog exists
 *   <dataDir>/lock               pid of the server using the directory
 *   <dataDir>/catalog/catalog    the catalog snapshot (docs/formats/catalog.md)
 *   <dataDir>/logs/<streamId>/<shardIndex>/<base>.log|.index   (docs/formats/log-segment.md)
 *   <dataDir>/trash/             streams being deleted
 *   <dataDir>/tables/<tableId>/meta|journal   tables of items (docs/formats/tables.md)
 *
 * @example
 *   const engine = await createEmbeddedEngine({ dataDir, fsync: "always", clock: systemClock, random: systemRandom, logger, accountId });
 */
import { dirname } from "node:path";
import type { StorageEngine } from "./types.js";
import { isNotFound, nodeFs, readWholeFile, replaceFile, type FsPort } from "./fs-port.js";
import { FileCatalog } from "./catalog/file-catalog.js";
import { EmbeddedLogStore } from "./log/log-store.js";
import { EmbeddedTableStore } from "./tables/embedded-tables.js";
import { HandleCache } from "./log/handle-cache.js";
import { SealedCache } from "./log/sealed-segments.js";
import { defaultLogOptions, type FsyncPolicy, type LogEnv, type LogOptions } from "./log/log-env.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import { currentProcess, type ProcessIdentity } from "../util/process-identity.js";

export type { FsyncPolicy } from "./log/log-env.js";

export const dataDirFormatVersion = 1;
const formatFileName = "format";
const lockFileName = "lock";

export interface EmbeddedEngineOptions extends Partial<Omit<LogOptions, "fsync">> {
  dataDir: string;
  fsync: FsyncPolicy;
  fs?: FsPort;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** The account the streams of a catalog written before accounts (format 1 or 2) belong to: the server's configured one. */
  accountId: string;
  /** Who we are, for the directory lock; tests inject another. */
  process?: ProcessIdentity;
}

export class DataDirError extends Error {
  override name = "DataDirError";
}

export async function createEmbeddedEngine(options: EmbeddedEngineOptions): Promise<StorageEngine> {
  const fs = options.fs ?? nodeFs;
  const dataDir = options.dataDir.replace(/\/+$/, "") || "/";
  const logOptions: LogOptions = { ...defaultLogOptions, ...definedOnly(options), fsync: options.fsync };
  const logger = options.logger.child({ component: "storage" });
  await fs.mkdir(dataDir);
  const identity = options.process ?? currentProcess;
  await acquireLock(fs, dataDir, identity);

  const initialised = await readFormat(fs, dataDir);
  const catalog = await FileCatalog.open(fs, `${dataDir}/catalog`, {
    random: options.random,
    logger,
    mayCreate: !initialised,
    legacyAccountId: options.accountId,
  });
  if (!initialised) {
    await replaceFile(fs, dataDir, formatFileName, Buffer.from(`tributary-data ${dataDirFormatVersion}\n`), true);
  }
  const env: LogEnv = {
    fs,
    clock: options.clock,
    logger,
    options: logOptions,
    handles: new HandleCache(fs, logOptions.openFilesMax),
    sealed: new SealedCache(logOptions.sealedIndexesMax),
  };
  const knownStreams = new Set(catalog.list().map((meta) => meta.streamId));
  const logs = await EmbeddedLogStore.open(env, `${dataDir}/logs`, `${dataDir}/trash`, knownStreams);
  const tables = await EmbeddedTableStore.open(fs, `${dataDir}/tables`, options.fsync, logger);
  // The entries for catalog/, logs/ and the data directory itself must be durable before any
  // write under them is acknowledged.
  await fs.syncDir(dataDir);
  await fs.syncDir(dirname(dataDir));

  let closing: Promise<void> | undefined;
  return {
    name: "embedded",
    catalog,
    logs,
    tables,
    close() {
      closing ??= (async () => {
        await tables.close();
        await logs.close();
        await catalog.close();
        await fs.unlink(`${dataDir}/${lockFileName}`).catch(() => undefined);
      })();
      return closing;
    },
  };
}

function definedOnly(options: EmbeddedEngineOptions): Partial<LogOptions> {
  const out: Partial<LogOptions> = {};
  for (const key of Object.keys(defaultLogOptions) as (keyof typeof defaultLogOptions)[]) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** True if the directory was initialised; refuses a directory written by a newer format. */
async function readFormat(fs: FsPort, dataDir: string): Promise<boolean> {
  let text: string;
  try {
    text = (await readWholeFile(fs, `${dataDir}/${formatFileName}`)).toString("utf8");
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  const match = /^tributary-data (\d+)\n$/.exec(text);
  if (!match) throw new DataDirError(`${dataDir}/${formatFileName} is not a Tributary format marker`);
  if (Number(match[1]) !== dataDirFormatVersion) {
    throw new DataDirError(`${dataDir} holds data format ${match[1]}; this version reads format ${dataDirFormatVersion}`);
  }
  return true;
}

/** One server per data directory: two writers would interleave their appends. */
async function acquireLock(fs: FsPort, dataDir: string, identity: ProcessIdentity): Promise<void> {
  try {
    const owner = Number((await readWholeFile(fs, `${dataDir}/${lockFileName}`)).toString("utf8").trim());
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== identity.pid && identity.isAlive(owner)) {
      throw new DataDirError(`${dataDir} is in use by process ${owner} (remove ${dataDir}/${lockFileName} if that is wrong)`);
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  // Durable, so a power loss never leaves a torn lock naming some unrelated live process.
  await replaceFile(fs, dataDir, lockFileName, Buffer.from(`${identity.pid}\n`), true);
}
