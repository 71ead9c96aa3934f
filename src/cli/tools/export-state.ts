/**
 * The sidecar of an export, `<file>.state.json`: where each shard's reading stopped, and how long
 * the export file was at that moment, written after every page appended (the page fsynced first,
 * then the state written to a temporary file and renamed over the old one). A run that was
 * interrupted resumes from it: the file is cut back to the recorded length (a page appended after
 * the last state write is read again rather than kept twice) and each shard continues after its
 * recorded sequence number. A finished export keeps its state, so running it again appends what
 * arrived since.
 *
 *   {"format":"tributary-export-state","version":1,"StreamName":"orders",
 *    "StreamCreationTimestamp":"2026-01-02T03:04:05.000Z","fileBytes":1234,"records":10,
 *    "shards":{"shardId-000000000000":{"SequenceNumber":"4960…"},"shardId-000000000001":{"ended":true}}}
 *
 * `SequenceNumber`: the last record of the shard in the file; `ended`: the shard's end was read
 * (its children may be exported); a shard with neither has nothing in the file yet.
 */
import { readFileSync } from "node:fs";
import { writeJsonAtomically } from "./atomic-file.js";

export const exportStateFormat = "tributary-export-state";
export const exportStateVersion = 1;

export interface ShardPosition {
  SequenceNumber?: string;
  ended?: true;
}

export interface ExportState {
  format: typeof exportStateFormat;
  version: typeof exportStateVersion;
  StreamName: string;
  /** Tells a stream deleted and created again under the same name (whose sequence numbers start over) from the one exported. */
  StreamCreationTimestamp: string;
  fileBytes: number;
  records: number;
  shards: Record<string, ShardPosition>;
}

export function statePathOf(exportPath: string): string {
  return `${exportPath}.state.json`;
}

export function newExportState(StreamName: string, StreamCreationTimestamp: string): ExportState {
  return { format: exportStateFormat, version: exportStateVersion, StreamName, StreamCreationTimestamp, fileBytes: 0, records: 0, shards: {} };
}

/** The state in `path`, or why it cannot be used. */
export function readExportState(path: string): { ok: true; state: ExportState } | { ok: false; message: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return { ok: false, message: `cannot read the export state ${path}: ${(error as Error).message}` };
  }
  const state = parsed as Partial<ExportState>;
  if (state.format !== exportStateFormat || state.version !== exportStateVersion) {
    return { ok: false, message: `${path} is not an export state this version reads (format ${String(state.format)}, version ${String(state.version)})` };
  }
  if (typeof state.StreamName !== "string" || typeof state.StreamCreationTimestamp !== "string" || !Number.isSafeInteger(state.fileBytes) || !Number.isSafeInteger(state.records) || typeof state.shards !== "object" || state.shards === null) {
    return { ok: false, message: `${path} is damaged: a member is missing or of the wrong type` };
  }
  return { ok: true, state: state as ExportState };
}

/** Replaces the state file atomically (atomic-file.ts). */
export function writeExportState(path: string, state: ExportState): void {
  writeJsonAtomically(path, state);
}
