/**
 * A reset across nodes (docs/cluster.md): `POST /_tributary/reset` through one node drops the
 * shared state and restarts that node's services; every other node must restart its services too,
 * or they keep what they hold in memory about the state that is gone (the ids of the tables it
 * dropped, fault rules, in-flight work). The node that reset writes a marker entry to the catalog
 * after its drop (namespace account `tributary-reset@000000000000`, shaped as the embedded
 * catalog's format requires of any entry: accountId `<namespace>@<12 digits>`, StreamName), and
 * every node follows the marker through the catalog's watch:
 * a marker it did not write itself restarts its services, as its own reset does minus the drop.
 *
 * Only on an engine several processes share (NATS); one process has no one to tell. The marker
 * present when a node starts is the past: only changes after the watch is ready count.
 */
import { randomUUID } from "node:crypto";
import type { Catalog, CatalogWatch, WriteOutcome } from "../storage/types.js";

const noStreamId = "0".repeat(32);

export const resetMarkerAccount = "tributary-reset@000000000000";
export const resetMarkerName = "marker";

interface ResetMarker {
  accountId: typeof resetMarkerAccount;
  StreamName: typeof resetMarkerName;
  /** Names no shard log (as the quota record's): a reset removes the entry and asks the logs for nothing. */
  streamId: typeof noStreamId;
  resetId: string;
}

export class ClusterResets {
  private watching: CatalogWatch | undefined;
  /** The markers this node wrote: heard back through the watch, they restart nothing. */
  private readonly own = new Set<string>();

  constructor(private readonly catalog: Catalog) {}

  /** Calls `onOtherReset` for every reset another node announces from now on; resolves once watching. */
  async follow(onOtherReset: () => void): Promise<void> {
    let ready = false;
    this.watching = this.catalog.watch((change) => {
      if (!ready || change.kind !== "entry" || change.accountId !== resetMarkerAccount || change.name !== resetMarkerName) return;
      const resetId = (change.entry as Partial<ResetMarker> | undefined)?.resetId;
      if (typeof resetId !== "string") return;
      if (this.own.delete(resetId)) return;
      onOtherReset();
    });
    await this.watching.ready;
    ready = true;
  }

  /** Tells the other nodes that this node has just reset the shared state. */
  announce(): Promise<WriteOutcome> {
    const resetId = randomUUID();
    this.own.add(resetId);
    const marker: ResetMarker = { accountId: resetMarkerAccount, StreamName: resetMarkerName, streamId: noStreamId, resetId };
    return this.catalog.put(resetMarkerAccount, resetMarkerName, marker);
  }

  stop(): void {
    this.watching?.stop();
    this.watching = undefined;
  }
}
