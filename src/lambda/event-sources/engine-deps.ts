/** What the pollers need from the manager: its deps with the tuning filled in, and the stores. */
import type { EventSourceManagerDeps, EventSourceTuning } from "./manager.js";
import type { CheckpointStore } from "./checkpoint-store.js";
import type { MappingStore } from "./mapping-store.js";

export interface EngineDeps extends Omit<EventSourceManagerDeps, "tuning"> {
  tuning: EventSourceTuning;
  mappings: MappingStore;
  checkpoints: CheckpointStore;
}

export const defaultTuning: EventSourceTuning = {
  retryDelayMs: 100,
  retryDelayMsMax: 5_000,
  idlePollMs: 1_000,
  shardScanMs: 5_000,
};
