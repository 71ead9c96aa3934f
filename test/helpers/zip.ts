// Zip archives for Lambda deployment packages and layers in tests, built in memory with fflate
// (the library the runtime unpacks with). A file's Unix mode goes into the high 16 bits of the
// central directory's external attributes with "made by" Unix, which is where `zip -X` puts it and
// where the runtime reads the executable bit of a custom runtime's `bootstrap` from.
import { zipSync, type Zippable } from 'fflate';

export type ZipEntry = string | Buffer | { data: string | Buffer; mode?: number };

const unixMadeBy = 3;
const regularFileType = 0o100000;
const defaultFileMode = 0o644;
const executableFileMode = 0o755;

function bytesOf(data: string | Buffer): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data);
}

/** A zip of `files` (path → content, or `{data, mode}`); a path named `bootstrap` (in any folder) is executable unless a mode says otherwise. */
export function zipOf(files: Record<string, ZipEntry>): Buffer {
  const entries: Zippable = {};
  for (const [path, entry] of Object.entries(files)) {
    const data = typeof entry === 'string' || Buffer.isBuffer(entry) ? entry : entry.data;
    const explicitMode = typeof entry === 'string' || Buffer.isBuffer(entry) ? undefined : entry.mode;
    const isBootstrap = path === 'bootstrap' || path.endsWith('/bootstrap');
    const mode = explicitMode ?? (isBootstrap ? executableFileMode : defaultFileMode);
    entries[path] = [bytesOf(data), { os: unixMadeBy, attrs: ((regularFileType | (mode & 0o7777)) << 16) >>> 0, mtime: new Date(Date.UTC(2020, 0, 1)) }];
  }
  return Buffer.from(zipSync(entries, { level: 6 }));
}
