/**
 * Where each mapping stands in each shard, durable in the service table
 * `event-source-checkpoints` (key `<UUID>/<shardId>`). A checkpoint is written after every batch
 * that succeeded or was discarded to OnFailure, so a restart resumes after the last finished
 * record and repeats only batches that were in flight (at-least-once).
 */
import type { TableStore } from "../../storage/types.js";
import type { ServiceTables } from "../service-tables.js";
import { putFenced, type HeldLease } from "../../storage/work-leases.js";

export const checkpointsTable = "event-source-checkpoints";
const scanPageItems = 500;

/** A tumbling window's running state (TumblingWindowInSeconds), per lane of the shard. */
export interface WindowCheckpoint {
  startMs: number;
  state: Record<string, unknown>;
}

export interface Checkpoint {
  /** Every record up to and including this sequence number is finished. */
  afterSequenceNumber?: string;
  /** A LATEST start, fixed when the shard was first read: records that arrived from this instant on. */
  latestFromMs?: number;
  /** The shard is closed and every record of it is finished: its children may start. */
  ended?: boolean;
  /** Open tumbling windows by lane. */
  windows?: Record<string, WindowCheckpoint>;
}

export class CheckpointStore {
  constructor(
    private readonly tables: TableStore,
    private readonly serviceTables: ServiceTables,
  ) {}

  async get(accountId: string, uuid: string, shardId: string): Promise<Checkpoint | undefined> {
    const value = await this.tables.getItem(await this.tableId(accountId), `${uuid}/${shardId}`);
    return value === undefined ? undefined : (JSON.parse(value) as Checkpoint);
  }

  /** Stores the checkpoint; under `lease`, only while it is held and no later holder has written one (fenced: throws). */
  async put(accountId: string, uuid: string, shardId: string, checkpoint: Checkpoint, lease?: HeldLease): Promise<void> {
    const outcome = await putFenced(this.tables, await this.tableId(accountId), `${uuid}/${shardId}`, { ...checkpoint }, lease);
    if (outcome.ok) return;
    if ("fenced" in outcome) throw new Error(`the checkpoint of ${uuid} in ${shardId} was refused: this node no longer holds the mapping's lease`);
    throw new Error(`cannot store the checkpoint of ${uuid} in ${shardId}: ${outcome.failure.message}`, { cause: outcome.failure });
  }

  /** Every checkpoint of a mapping, by shard id. */
  async all(accountId: string, uuid: string): Promise<Map<string, Checkpoint>> {
    const tableId = await this.tableId(accountId);
    const prefix = `${uuid}/`;
    const out = new Map<string, Checkpoint>();
    let after: string | undefined = prefix;
    for (;;) {
      const page = await this.tables.scan(tableId, after, scanPageItems);
      for (const entry of page) {
        if (!entry.key.startsWith(prefix)) return out;
        out.set(entry.key.slice(prefix.length), JSON.parse(entry.value) as Checkpoint);
      }
      if (page.length < scanPageItems) return out;
      after = page[page.length - 1]!.key;
    }
  }

  /** Drops a deleted mapping's checkpoints. */
  async drop(accountId: string, uuid: string): Promise<void> {
    const tableId = await this.tableId(accountId);
    for (const shardId of (await this.all(accountId, uuid)).keys()) {
      const outcome = await this.tables.deleteItem(tableId, `${uuid}/${shardId}`);
      if (!outcome.ok) throw new Error(`cannot drop the checkpoints of ${uuid}: ${outcome.failure.message}`, { cause: outcome.failure });
    }
  }

  private tableId(accountId: string): Promise<string> {
    return this.serviceTables.tableId(accountId, checkpointsTable);
  }
}
