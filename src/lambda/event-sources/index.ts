/**
 * The stream triggers (docs/lambda.md, "Stream triggers"): createEventSourceManager runs a
 * MappingRunner per enabled mapping and moves mappings through Lambda's states (Creating,
 * Enabling, Updating → Enabled; Disabling → Disabled; Deleting → gone) as it acts on the API's
 * changes, one change at a time.
 */
import { ServiceTables } from "../service-tables.js";
import { CheckpointStore } from "./checkpoint-store.js";
import { defaultTuning, type EngineDeps } from "./engine-deps.js";
import type { EventSourceManager, EventSourceManagerDeps } from "./manager.js";
import type { MappingState } from "./mapping.js";
import { MappingRunner } from "./mapping-runner.js";
import { MappingStore } from "./mapping-store.js";

export type { EventSourceManager, EventSourceManagerDeps } from "./manager.js";
export { eventSourceActions } from "./actions/index.js";

export function createEventSourceManager(managerDeps: EventSourceManagerDeps): EventSourceManager {
  const serviceTables = new ServiceTables(managerDeps.tables, managerDeps.clock, managerDeps.random);
  const mappings = new MappingStore(managerDeps.tables, serviceTables);
  const checkpoints = new CheckpointStore(managerDeps.tables, serviceTables);
  const deps: EngineDeps = { ...managerDeps, tuning: { ...defaultTuning, ...managerDeps.tuning }, mappings, checkpoints };
  const runners = new Map<string, MappingRunner>();
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;

  async function stopRunner(key: string): Promise<void> {
    const runner = runners.get(key);
    if (runner === undefined) return;
    runners.delete(key);
    await runner.stop();
  }

  async function settleState(accountId: string, uuid: string, from: MappingState, to: MappingState): Promise<void> {
    await mappings.modify(accountId, uuid, (record) => (record.State === from ? { ...record, State: to } : undefined));
  }

  async function reconcile(accountId: string, uuid: string): Promise<void> {
    if (stopped) return;
    const key = `${accountId}/${uuid}`;
    const record = await mappings.get(accountId, uuid);
    await stopRunner(key);
    if (record === undefined) return;
    if (record.State === "Deleting") {
      await checkpoints.drop(accountId, uuid);
      await mappings.remove(accountId, uuid);
      return;
    }
    if (!record.Enabled) {
      if (record.State !== "Disabled") await settleState(accountId, uuid, record.State, "Disabled");
      return;
    }
    runners.set(key, new MappingRunner(deps, record));
    if (record.State !== "Enabled") await settleState(accountId, uuid, record.State, "Enabled");
  }

  function enqueue(accountId: string, uuid: string): void {
    queue = queue.then(
      () => reconcile(accountId, uuid),
      () => reconcile(accountId, uuid),
    ).catch((error: unknown) => deps.logger.error({ err: error }, `event source mapping ${uuid}: change not applied`));
  }

  return {
    mappings,
    async start() {
      stopped = false;
      for (const accountId of await mappings.accounts()) {
        for (const record of await mappings.list(accountId)) enqueue(accountId, record.UUID);
      }
      await queue;
    },
    async stop() {
      stopped = true;
      await queue;
      await Promise.all([...runners.keys()].map((key) => stopRunner(key)));
    },
    changed(accountId, uuid) {
      enqueue(accountId, uuid);
    },
    settled() {
      return queue;
    },
  };
}
