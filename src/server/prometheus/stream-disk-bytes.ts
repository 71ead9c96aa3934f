/**
 * The bytes each stream keeps on disk under the embedded engine: its logs' sizes by stream id
 * (src/storage/embedded/disk-usage.ts), named by the catalog's entries (account and name).
 * Entries of other services' logs (Firehose's DirectPut ingest logs, under `firehose@<account>`)
 * are listed under their own account.
 */
import type { Catalog } from "../../storage/types.js";
import { streamLogBytes } from "../../storage/embedded/disk-usage.js";
import { catalogEntryKey, catalogEntryLogId } from "../../storage/embedded/catalog/catalog-file.js";
import type { StreamDiskBytes } from "./prometheus-page.js";

export function embeddedStreamDiskBytes(dataDir: string, catalog: Catalog): () => Promise<readonly StreamDiskBytes[]> {
  return async () => {
    const [bytesById, entries] = await Promise.all([streamLogBytes(dataDir), catalog.list()]);
    const streams: StreamDiskBytes[] = [];
    for (const entry of entries) {
      const id = catalogEntryLogId(entry);
      if (id === undefined) continue;
      const { accountId, name } = catalogEntryKey(entry);
      streams.push({ accountId, streamName: name, bytes: bytesById.get(id) ?? 0 });
    }
    return streams;
  };
}
