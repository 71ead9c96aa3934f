/**
 * A running application's checkpoint, in the service's `checkpoints` table (store/applications.ts),
 * keyed by the application's incarnation:
 *
 *   head                 CheckpointHead JSON: the run it belongs to, where each input resumes, the
 *                        in-application streams' last ROWTIMEs and the watermark, each output's
 *                        sequence number and destination mark, and the generation of the snapshot
 *   snapshot/<gen>/<i>   the engine's snapshot (JSON text) in pieces of at most 256 KiB
 *
 * A checkpoint writes its snapshot pieces under a new generation, then the head naming them (the
 * commit: a crash before it leaves the previous checkpoint whole), then removes the previous
 * generation's pieces.
 *
 * What it promises (docs/analytics/api.md, "Checkpoints"): a checkpoint is taken at a barrier — the
 * engine's state after exactly the records of the journal entries up to `journalSeq`, which the
 * input positions resume after — and committed only once every output row made before the barrier
 * is written, with each destination's mark taken right after them. Restarting from it, the journal
 * entries after it are taken again (journal.ts), so the engine makes again exactly the rows that
 * came after the barrier; those already written (found past the marks) are dropped, so a closed
 * window is neither lost nor written twice (Lambda outputs: at least once).
 */
import type { ApplicationStore } from "../store/applications.js";
import type { InputPositions } from "./sources/source.js";
import type { OutputMark } from "./outputs/destination.js";
import type { HeldLease } from "../../storage/work-leases.js";

export interface CheckpointHead {
  version: 1;
  /** StoredApplication.runNumber when taken: a later start (not LAST_STOPPED_POINT) ignores it. */
  runNumber: number;
  /** The code and configuration the engine ran: its snapshot restores only into the same. */
  codeHash: string;
  takenAtMs: number;
  generation: number;
  pieces: number;
  watermarkMs: number;
  /** The last ROWTIME given to a record: the next ones are not below it. */
  lastRowtimeMs: number;
  /** The run's last journal entry whose records went to the engine before the barrier (journal.ts). */
  journalSeq: number;
  /** By InputId: where each lane resumes after the records of `journalSeq` and those before. */
  inputs: Record<string, { positions: InputPositions }>;
  /** By OutputId. */
  outputs: Record<string, { seq: number; mark: OutputMark }>;
  /** The checkpoint of a stop (StopApplication, an update): nothing was written after it. */
  final: boolean;
}

export interface Checkpoint {
  head: CheckpointHead;
  engine: unknown;
}

const pieceChars = 256 * 1024;

export class CheckpointStore {
  constructor(
    private readonly store: ApplicationStore,
    private readonly accountId: string,
    private readonly incarnationId: string,
    /** Under a work lease, pieces are written only while it is held, and the head (the commit) is fenced by its epoch. */
    private readonly lease?: HeldLease,
  ) {}

  async load(): Promise<Checkpoint | undefined> {
    const headText = await this.store.checkpoint(this.accountId, this.incarnationId, "head");
    if (headText === undefined) return undefined;
    const head = JSON.parse(headText) as CheckpointHead;
    const pieces: string[] = [];
    for (let index = 0; index < head.pieces; index++) {
      const piece = await this.store.checkpoint(this.accountId, this.incarnationId, pieceKey(head.generation, index));
      if (piece === undefined) throw new Error(`checkpoint piece ${index} of generation ${head.generation} is missing`);
      pieces.push(piece);
    }
    return { head, engine: JSON.parse(pieces.join("")) as unknown };
  }

  /** Writes the checkpoint; resolves true once its head is durable. */
  async save(head: Omit<CheckpointHead, "generation" | "pieces">, engine: unknown, previous: CheckpointHead | undefined): Promise<CheckpointHead | undefined> {
    const text = JSON.stringify(engine);
    const generation = (previous?.generation ?? 0) + 1;
    const pieces = Math.max(1, Math.ceil(text.length / pieceChars));
    for (let index = 0; index < pieces; index++) {
      if (!(await this.store.putCheckpoint(this.accountId, this.incarnationId, pieceKey(generation, index), text.slice(index * pieceChars, (index + 1) * pieceChars), this.lease))) return undefined;
    }
    const full: CheckpointHead = { ...head, generation, pieces };
    if (!(await this.store.putCheckpointHead(this.accountId, this.incarnationId, full, this.lease))) return undefined;
    if (previous !== undefined) await this.store.deleteCheckpointParts(this.accountId, this.incarnationId, `snapshot/${previous.generation}/`);
    return full;
  }
}

function pieceKey(generation: number, index: number): string {
  return `snapshot/${generation}/${index}`;
}
