/**
 * Master keys kept in files: one the operator provides (`--master-key-file`, read once at start),
 * or one the server generates in the data directory the first time it needs a key and none was
 * configured (docs/encryption.md, "The master key").
 *
 * These files are not engine state, so they do not go through the fs port: they are written
 * once, with a mode (0600) and exclusive creation the port does not offer.
 */
import { constants, promises as fs } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "../../../util/logger.js";
import { newMasterKeyText, parseMasterKey, type MasterKey, type MasterKeySource } from "./master-key.js";

/** The generated key's file name under the data directory. */
export const generatedKeyFileName = "master.key";

export class MasterKeyError extends Error {
  override name = "MasterKeyError";
}

/** Reads and checks a key file; warns when others may read it. Throws MasterKeyError with the reason. */
export async function readMasterKeyFile(path: string, logger: Logger): Promise<MasterKey> {
  let text: string;
  try {
    const stats = await fs.stat(path);
    if (!stats.isFile()) throw new MasterKeyError(`the master key file ${path} is not a regular file`);
    if ((stats.mode & 0o077) !== 0) {
      logger.warn({ path, mode: (stats.mode & 0o777).toString(8) }, "the master key file can be read by other users; chmod 600 it");
    }
    text = await fs.readFile(path, "utf8");
  } catch (error) {
    if (error instanceof MasterKeyError) throw error;
    throw new MasterKeyError(`cannot read the master key file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = parseMasterKey(text);
  if (!parsed.ok) throw new MasterKeyError(`the master key file ${path} does not hold a master key: ${parsed.reason} (expected base64 of 32 bytes)`);
  return parsed.key;
}

/**
 * The key in `<dataDir>/master.key`, generated (mode 0600, fsynced) the first time `obtain` is
 * called without one. Every time it is used the server warns: a key beside the data protects
 * nothing against someone who has the disk.
 */
export function dataDirMasterKey(dataDir: string, logger: Logger): MasterKeySource {
  const path = `${dataDir}/${generatedKeyFileName}`;
  let loaded: Promise<MasterKey | undefined> | undefined;
  const warn = (generated: boolean) =>
    logger.warn(
      { path },
      `${generated ? "generated a master key and stored it" : "using the master key stored"} beside the data at ${path}: ` +
        "a key stored beside the data protects nothing against someone who has the disk; " +
        "give the server its key with --master-key-file or TRIBUTARY_MASTER_KEY and move this file off the disk (docs/encryption.md)",
    );
  const existing = (): Promise<MasterKey | undefined> =>
    (loaded ??= (async () => {
      try {
        await fs.access(path, constants.F_OK);
      } catch {
        return undefined;
      }
      const key = await readMasterKeyFile(path, logger);
      warn(false);
      return key;
    })());
  let creating: Promise<MasterKey> | undefined;
  return {
    description: path,
    existing,
    async obtain() {
      const key = await existing();
      if (key !== undefined) return key;
      creating ??= (async () => {
        const created = await createKeyFile(path);
        loaded = Promise.resolve(created);
        warn(true);
        return created;
      })();
      return creating;
    },
  };
}

/** Writes a new key file durably, refusing to replace one (another process may have made it). */
async function createKeyFile(path: string): Promise<MasterKey> {
  const text = newMasterKeyText();
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, "wx", 0o600);
  } catch (error) {
    throw new MasterKeyError(`cannot create the master key file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  // The file's entry must be durable before any key it wraps is.
  const directory = await fs.open(dirname(path), "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
  const parsed = parseMasterKey(text);
  if (!parsed.ok) throw new MasterKeyError(`generated an unusable master key: ${parsed.reason}`);
  return parsed.key;
}
