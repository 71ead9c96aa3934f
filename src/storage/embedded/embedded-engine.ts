/**
 * The embedded engine: a durable catalog and a segmented log per shard, all under one data
 * directory (docs/formats/log-segment.md, "Data directory"):
 *
 *   <dataDir>/format             "tributary-data <version>": written once the catalog exists
 *   <dataDir>/lock               socket held while a server uses the directory (src/storage/embedded/dir-lock.ts)
 *   <dataDir>/catalog/catalog    the catalog snapshot (docs/formats/catalog.md)
 *   <dataDir>/logs/<streamId>/<shardIndex>/<base>.log|.index   (docs/formats/log-segment.md)
 *   <dataDir>/trash/             streams being deleted
 *   <dataDir>/tables/<tableId>/meta|journal   tables of items (docs/formats/tables.md)
 *   <dataDir>/objects/journal|blobs/|tmp/    buckets of objects (docs/formats/objects.md)
 *
 * @example
 *   const engine = await createEmbeddedEngine({ dataDir, fsync: "always", clock: systemClock, random: systemRandom, logger, accountId });
 */
import { dirname } from "node:path";
import type { StorageEngine } from "../types.js";
import { isNotFound, nodeFs, readWholeFile, replaceFile, type DirLock, type FsPort } from "./fs-port.js";
import { DataDirError, errnoText } from "./data-dir-error.js";
import { FileCatalog } from "./catalog/file-catalog.js";
import { catalogEntryLogId } from "./catalog/catalog-file.js";
import { EmbeddedLogStore } from "./log/log-store.js";
import { EmbeddedTableStore } from "./tables/embedded-tables.js";
import { EmbeddedObjectStore } from "./objects/embedded-objects.js";
import { HandleCache } from "./log/handle-cache.js";
import { SealedCache } from "./log/sealed-segments.js";
import { defaultLogOptions, type LogEnv, type LogOptions } from "./log/log-env.js";
import type { FsyncPolicy } from "./fsync-policy.js";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import type { Logger } from "../../util/logger.js";

export type { FsyncPolicy } from "./fsync-policy.js";
export { DataDirError } from "./data-dir-error.js";

export const dataDirFormatVersion = 1;
const formatFileName = "format";

export interface EmbeddedEngineOptions extends Partial<Omit<LogOptions, "fsync">> {
  dataDir: string;
  fsync: FsyncPolicy;
  fs?: FsPort;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** The account the streams of a catalog written before accounts (format 1 or 2) belong to: the server's configured one. */
  accountId: string;
  /** The object store's inline blobs (docs/formats/objects.md): tests lower them, or set 0 to make every blob a file. */
  objectInlineBytesMax?: number;
  objectInlineBudgetBytes?: number;
}

export async function createEmbeddedEngine(options: EmbeddedEngineOptions): Promise<StorageEngine> {
  const fs = options.fs ?? nodeFs;
  const dataDir = options.dataDir.replace(/\/+$/, "") || "/";
  const logOptions: LogOptions = { ...defaultLogOptions, ...definedOnly(options), fsync: options.fsync };
  const logger = options.logger.child({ component: "storage" });
  await prepareDataDir(dataDir, fs);
  const lock = await fs.lockDir(dataDir, options.clock);
  if (lock.limitation !== undefined) logger.warn({ dataDir }, `data directory lock: ${lock.limitation}`);
  try {
    return await openLocked(fs, dataDir, lock, options, logOptions, logger);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function openLocked(
  fs: FsPort, dataDir: string, lock: DirLock, options: EmbeddedEngineOptions, logOptions: LogOptions, logger: Logger,
): Promise<StorageEngine> {
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
  const knownStreams = new Set<string>();
  for (const entry of await catalog.list()) {
    const id = catalogEntryLogId(entry);
    if (id !== undefined) knownStreams.add(id);
  }
  const logs = await EmbeddedLogStore.open(env, `${dataDir}/logs`, `${dataDir}/trash`, knownStreams);
  const tables = await EmbeddedTableStore.open(fs, `${dataDir}/tables`, options.fsync, logger);
  const objects = await EmbeddedObjectStore.open({
    fs, dir: `${dataDir}/objects`, fsync: options.fsync, random: options.random, logger, clock: options.clock,
    ...(options.objectInlineBytesMax === undefined ? {} : { inlineBytesMax: options.objectInlineBytesMax }),
    ...(options.objectInlineBudgetBytes === undefined ? {} : { inlineBudgetBytes: options.objectInlineBudgetBytes }),
  });
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
    objects,
    close() {
      closing ??= (async () => {
        await objects.close();
        await tables.close();
        await logs.close();
        await catalog.close();
        await lock.release();
      })();
      return closing;
    },
  };
}

/**
 * Creates the data directory and its missing parents, or rejects with a one-line DataDirError
 * that says what is in the way: a file, a directory we may not write, a filesystem that holds no
 * directories (/proc). The CLI calls it before anything else writes there.
 */
export async function prepareDataDir(dataDir: string, fs: FsPort = nodeFs): Promise<void> {
  try {
    await fs.mkdir(dataDir);
  } catch (error) {
    throw new DataDirError(dataDirProblem(dataDir, error as NodeJS.ErrnoException), { cause: error });
  }
}

function dataDirProblem(dataDir: string, error: NodeJS.ErrnoException): string {
  const culprit = error.path ?? dataDir;
  if (error.code === "ENOTDIR") {
    return culprit === dataDir ? `the data directory ${dataDir} is a file, not a directory` : `cannot create the data directory ${dataDir}: ${culprit} is a file, not a directory`;
  }
  if (error.code === "ENOENT") {
    // Node's mkdir reported the directory being created; its parent exists, yet refused it.
    return `cannot create the data directory ${dataDir}: ${dirname(culprit)} does not allow creating ${culprit} (ENOENT)`;
  }
  return `cannot create the data directory ${dataDir}: creating ${culprit}: ${errnoText(error)}`;
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
