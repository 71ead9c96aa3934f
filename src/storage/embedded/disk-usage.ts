/**
 * Bytes on disk of each stream's shard logs (`<dataDir>/logs/<streamId>/<shardIndex>/*`), for
 * Prometheus' /metrics, computed when asked: one readdir per stream and shard directory and one
 * stat per file (a shard holds a few segments and their indexes). A read-only report beside the
 * engine, not part of it: it reads the directory through node:fs rather than the fs port, which
 * has no stat, and sees what is there now (a file removed meanwhile counts as nothing).
 */
import { readdir, stat } from "node:fs/promises";

/** Stream id → bytes of its logs; an empty map when the data directory has no logs yet. */
export async function streamLogBytes(dataDir: string): Promise<Map<string, number>> {
  const logsDir = `${dataDir}/logs`;
  const bytes = new Map<string, number>();
  for (const stream of await entriesOf(logsDir)) {
    if (!stream.isDirectory()) continue;
    let total = 0;
    for (const shard of await entriesOf(`${logsDir}/${stream.name}`)) {
      if (!shard.isDirectory()) continue;
      const dir = `${logsDir}/${stream.name}/${shard.name}`;
      const sizes = await Promise.all((await entriesOf(dir)).filter((file) => file.isFile()).map((file) => sizeOf(`${dir}/${file.name}`)));
      for (const size of sizes) total += size;
    }
    bytes.set(stream.name, total);
  }
  return bytes;
}

async function entriesOf(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    // Gone (a stream dropped while we looked) or never made: nothing to count.
    return [];
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
