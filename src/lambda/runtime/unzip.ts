/**
 * Unpacks a deployment package or layer zip into a directory. fflate inflates the entries; the Unix
 * modes (the executable bit of a custom runtime's `bootstrap`, of binaries in layers) come from the
 * central directory's external attributes, which fflate does not report, so this module reads
 * them itself: each central directory record is
 *
 *   0  signature 0x02014b50      4  version made by (high byte: 3 = Unix)
 *   28 file name length          30 extra field length      32 comment length
 *   38 external attributes (high 16 bits: st_mode when made by Unix)      46 file name
 *
 * found from the end-of-central-directory record (0x06054b50: 10 entry count, 16 offset).
 * Entries whose path leaves the target (absolute, `..`) are refused, as symlinks are not made.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, sep } from "node:path";
import { unzipSync } from "fflate";

const endOfCentralDirectorySignature = 0x06054b50;
const centralDirectorySignature = 0x02014b50;
const unixMadeBy = 3;
const defaultFileMode = 0o644;
const executableFileMode = 0o755;

/** The Unix modes the central directory records, by entry name (entries made elsewhere are absent). */
export function unixModesOf(zip: Buffer): Map<string, number> {
  const modes = new Map<string, number>();
  const searchFrom = Math.max(0, zip.length - 22 - 0xffff);
  let end = -1;
  for (let at = zip.length - 22; at >= searchFrom; at--) {
    if (zip.readUInt32LE(at) === endOfCentralDirectorySignature) {
      end = at;
      break;
    }
  }
  if (end < 0) return modes;
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  // ZIP64 archives mark the offset 0xffffffff; their modes are not read (files get default modes).
  for (let index = 0; index < entries && at + 46 <= zip.length; index++) {
    if (zip.readUInt32LE(at) !== centralDirectorySignature) break;
    const madeBy = zip.readUInt8(at + 5);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const mode = zip.readUInt32LE(at + 38) >>> 16;
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    if (madeBy === unixMadeBy && mode !== 0) modes.set(name, mode & 0o7777);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return modes;
}

/** A path inside `root` for the entry `name`, or undefined for one that would leave it. */
function targetOf(root: string, name: string): string | undefined {
  if (name.startsWith("/") || name.includes("\u0000")) return undefined;
  const relative = normalize(name);
  if (relative === ".." || relative.startsWith(`..${sep}`)) return undefined;
  return join(root, relative);
}

/**
 * Writes every file of `zip` under `root` (which must exist), later files overwriting earlier
 * ones of the same path (how layers stack). A root-level `bootstrap` recorded without a Unix mode
 * (a zip made on Windows) is made executable, so such a custom runtime still starts.
 */
export function unpackZip(zip: Buffer, root: string): void {
  const modes = unixModesOf(zip);
  const files = unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.length));
  for (const [name, data] of Object.entries(files)) {
    const target = targetOf(root, name);
    if (target === undefined) continue;
    if (name.endsWith("/")) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    const mode = modes.get(name) ?? (name === "bootstrap" ? executableFileMode : defaultFileMode);
    writeFileSync(target, data);
    // Owner may always read and write (the cache must be able to remove it); the rest as recorded.
    chmodSync(target, mode | 0o600);
  }
}
