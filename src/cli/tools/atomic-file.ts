/** Small state files replaced atomically: written to a temporary file, fsynced, renamed over the old one, so a crash leaves the old state or the new one, never half of one. */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";

export function writeJsonAtomically(path: string, value: unknown): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, "w");
  try {
    writeSync(fd, JSON.stringify(value) + "\n");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
