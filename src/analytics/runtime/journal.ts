/**
 * The runner's write-ahead journal of takes: before records go to the engine, the take — which
 * lanes, how many records of each, in what order, and the ROWTIME they get — is written durably
 * (a `journal/<run>/<seq>` item beside the checkpoint, store/applications.ts). ROWTIME is the time
 * the records enter the in-application stream (the service's semantics), which a second reading
 * after a crash could not reproduce; with the journal, a restart from a checkpoint takes again
 * exactly what was taken after it (merge.ts, takeExact), so the engine makes the same rows again
 * and the outputs can drop those already written (checkpoints.ts). Entries up to a checkpoint's
 * are removed once it is committed; a new run starts with an empty journal.
 */
import type { ApplicationStore } from "../store/applications.js";
import type { Segment } from "./sources/merge.js";
import type { HeldLease } from "../../storage/work-leases.js";

export interface JournalEntry {
  seq: number;
  /** The in-application stream (index among the input's streams). */
  stream: number;
  rowtimeMs: number;
  segments: Segment[];
}

const prefix = "journal/";
const entriesPerReadMax = 100_000;

export class Journal {
  constructor(
    private readonly store: ApplicationStore,
    private readonly accountId: string,
    private readonly incarnationId: string,
    private readonly runNumber: number,
    /** Under a work lease, entries are written only while it is held. */
    private readonly lease?: HeldLease,
  ) {}

  /** Resolves true once the entry is durable. */
  append(entry: JournalEntry): Promise<boolean> {
    return this.store.putCheckpoint(this.accountId, this.incarnationId, this.partOf(entry.seq), JSON.stringify(entry), this.lease);
  }

  /** This run's entries after `seq`, in order. */
  async after(seq: number): Promise<JournalEntry[]> {
    const parts = await this.store.checkpointParts(this.accountId, this.incarnationId, this.runPrefix(), entriesPerReadMax);
    return parts.map((part) => JSON.parse(part.value) as JournalEntry).filter((entry) => entry.seq > seq);
  }

  /** Removes this run's entries up to `seq`. */
  async trim(seq: number): Promise<void> {
    const parts = await this.store.checkpointParts(this.accountId, this.incarnationId, this.runPrefix(), entriesPerReadMax);
    for (const part of parts) {
      if ((JSON.parse(part.value) as JournalEntry).seq > seq) break;
      await this.store.deleteCheckpointPart(this.accountId, this.incarnationId, part.part);
    }
  }

  /** A new run: every entry of earlier runs goes. */
  clear(): Promise<void> {
    return this.store.deleteCheckpointParts(this.accountId, this.incarnationId, prefix);
  }

  private runPrefix(): string {
    return `${prefix}${String(this.runNumber).padStart(6, "0")}/`;
  }

  private partOf(seq: number): string {
    return `${this.runPrefix()}${String(seq).padStart(12, "0")}`;
  }
}
