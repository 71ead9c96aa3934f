/**
 * Delivery streams and their source checkpoints in the service's own tables
 * (NamespacedTables("firehose"): `firehose@<account>`, invisible to DynamoDB callers, dropped by
 * a reset). Table `delivery-streams`: key = name, value = StoredDeliveryStream JSON. Table
 * `checkpoints`: key = `<name>\u0000<incarnation>\u0000<lane>`, value = StoredCheckpoint JSON.
 *
 * Writes resolve once durable (TableStore). Changes to a stream are compare-and-set on the
 * item's revision, so two concurrent updates never lose one another.
 */
import type { TableStore } from "../../storage/types.js";
import type { NamespacedTables } from "../../storage/service-tables.js";
import type { StoredCheckpoint, StoredDeliveryStream } from "../model.js";
import { firehoseErrors } from "../errors.js";
import { putFenced, type HeldLease } from "../../storage/work-leases.js";

const streamsTable = "delivery-streams";
const checkpointsTable = "checkpoints";
const scanPageItems = 1000;

export type StreamUpdate = (current: StoredDeliveryStream) => StoredDeliveryStream;

export class DeliveryStreamStore {
  constructor(
    private readonly namespaced: NamespacedTables,
    private readonly tables: TableStore,
  ) {}

  async get(accountId: string, name: string): Promise<StoredDeliveryStream | undefined> {
    const value = await this.tables.getItem(await this.namespaced.tableId(accountId, streamsTable), name);
    return value === undefined ? undefined : (JSON.parse(value) as StoredDeliveryStream);
  }

  /** The account's streams sorted by name. */
  async list(accountId: string): Promise<StoredDeliveryStream[]> {
    const tableId = await this.namespaced.tableId(accountId, streamsTable);
    const out: StoredDeliveryStream[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.tables.scan(tableId, after, scanPageItems);
      for (const entry of page) out.push(JSON.parse(entry.value) as StoredDeliveryStream);
      if (page.length < scanPageItems) return out;
      after = page[page.length - 1]!.key;
    }
  }

  /** Every account holding delivery streams (the engine's start). */
  accounts(): Promise<string[]> {
    return this.namespaced.accountsWith(streamsTable);
  }

  /** Creates the stream; false if the name is taken. */
  async create(accountId: string, stream: StoredDeliveryStream): Promise<boolean> {
    const tableId = await this.namespaced.tableId(accountId, streamsTable);
    const outcome = await this.tables.putItem(tableId, { key: stream.DeliveryStreamName, value: JSON.stringify(stream) }, { expectedRevision: "absent" });
    if (outcome.ok) return true;
    if ("conflict" in outcome) return false;
    throw firehoseErrors.storageUnavailable(outcome.failure);
  }

  /** Applies `update` to the stream as stored, again on a concurrent change; undefined if it is gone. */
  async update(accountId: string, name: string, update: StreamUpdate): Promise<StoredDeliveryStream | undefined> {
    const tableId = await this.namespaced.tableId(accountId, streamsTable);
    for (;;) {
      const item = await this.tables.getVersionedItem(tableId, name);
      if (item === undefined) return undefined;
      const next = update(JSON.parse(item.value) as StoredDeliveryStream);
      const outcome = await this.tables.putItem(tableId, { key: name, value: JSON.stringify(next) }, { expectedRevision: item.revision });
      if (outcome.ok) return next;
      if (!("conflict" in outcome)) throw firehoseErrors.storageUnavailable(outcome.failure);
    }
  }

  async remove(accountId: string, name: string): Promise<void> {
    const outcome = await this.tables.deleteItem(await this.namespaced.tableId(accountId, streamsTable), name);
    if (!outcome.ok) throw firehoseErrors.storageUnavailable(outcome.failure);
  }

  async checkpoint(accountId: string, incarnation: string, lane: string): Promise<StoredCheckpoint | undefined> {
    const value = await this.tables.getItem(await this.namespaced.tableId(accountId, checkpointsTable), checkpointKey(incarnation, lane));
    return value === undefined ? undefined : (JSON.parse(value) as StoredCheckpoint);
  }

  /**
   * Resolves once the checkpoint is durable; false if storage refused it (the engine tries again
   * later) or, under `lease`, if this node no longer holds the stream's work lease (fenced).
   */
  async putCheckpoint(accountId: string, incarnation: string, lane: string, checkpoint: StoredCheckpoint, lease?: HeldLease): Promise<boolean> {
    const outcome = await putFenced(this.tables, await this.namespaced.tableId(accountId, checkpointsTable), checkpointKey(incarnation, lane), { ...checkpoint }, lease);
    return outcome.ok;
  }

  /** Removes every checkpoint of a stream incarnation (its deletion). */
  async dropCheckpoints(accountId: string, incarnation: string): Promise<void> {
    const tableId = await this.namespaced.tableId(accountId, checkpointsTable);
    const prefix = `${incarnation}\u0000`;
    for (;;) {
      const page = await this.tables.scan(tableId, prefix, scanPageItems);
      const mine = page.filter((entry) => entry.key.startsWith(prefix));
      for (const entry of mine) await this.tables.deleteItem(tableId, entry.key);
      if (mine.length < scanPageItems) return;
    }
  }
}

/** Checkpoints are keyed by the stream's incarnation (its ARN and creation), so a re-created name starts afresh. */
function checkpointKey(incarnation: string, lane: string): string {
  return `${incarnation}\u0000${lane}`;
}
