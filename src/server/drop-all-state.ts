/**
 * What a reset removes from a storage engine (app.ts `reset`): every stream of every account with
 * its records, consumers, resource policies and data keys (all held in the stream's catalog
 * entry and logs), every table with its items, every bucket with its objects, uploads and their
 * bytes, and the settings of the accounts given. The engine's iterator secret stays, as it does
 * across a restart. Runs only while no service uses the engine.
 */
import type { StorageEngine, WriteOutcome } from "../storage/types.js";
import { streamsCatalog } from "../streams/stream-catalog.js";
import { isServiceNamespace } from "../storage/service-tables.js";
import { isMetricsAccount } from "../storage/metrics/minute-table.js";

export interface DroppedState {
  streams: number;
  tables: number;
}

export async function dropAllState(storage: StorageEngine, settingsAccounts: ReadonlySet<string>): Promise<DroppedState> {
  const catalog = streamsCatalog(storage);
  const streams = await catalog.list();
  for (const meta of streams) {
    // The catalog entry first: logs whose stream the catalog no longer names are removed at the
    // next open if a crash cuts this short (storage/types.ts, LogStore).
    check(await catalog.remove(meta.accountId, meta.StreamName), `stream ${meta.StreamName}`);
    // A record that is no stream names no log (or the all-zero id, which no log has).
    if (typeof meta.streamId === "string") await storage.logs.dropStream(meta.streamId);
  }
  // The metrics' minutes are kept, as the process's metrics store is (docs/metrics.md).
  const tables = (await storage.tables.list()).filter((table) => !isMetricsAccount(table.accountId));
  for (const table of tables) check(await storage.tables.drop(table.accountId, table.TableName), `table ${table.TableName}`);
  // Buckets are not counted in the answer (its shape is documented and tested as streams and tables).
  for (const bucket of await storage.objects.listBuckets()) check(await storage.objects.dropBucket(bucket.Name), `bucket ${bucket.Name}`);
  const accounts = new Set([...settingsAccounts, ...streams.map((meta) => meta.accountId)]);
  for (const accountId of accounts) {
    if ((await catalog.accountSettings(accountId)) !== undefined) check(await catalog.putAccountSettings(accountId, {}), `account ${accountId}'s settings`);
  }
  // Counted as the answer documents them: callers' streams and tables, not the services' own
  // (Firehose's ingest logs, Lambda's and Glue's tables), which are dropped all the same.
  const callers = (entry: { accountId: string }) => !isServiceNamespace(entry.accountId);
  return { streams: streams.filter(callers).length, tables: tables.filter(callers).length };
}

function check(outcome: WriteOutcome, what: string): void {
  if (!outcome.ok) throw new Error(`cannot drop ${what}: ${outcome.failure.message}`, { cause: outcome.failure.cause });
}
