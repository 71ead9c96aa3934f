/**
 * The stream triggers (docs/lambda.md, "Stream triggers"): createEventSourceManager runs a
 * MappingRunner per enabled mapping and moves mappings through Lambda's states (Creating,
 * Enabling, Updating → Enabled; Disabling → Disabled; Deleting → gone) as it acts on the API's
 * changes, one change at a time.
 */
import { ServiceTables } from "../service-tables.js";
import { WorkLeases } from "../../storage/work-leases.js";
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
  // A mapping runs on the one node holding its lease (docs/cluster.md); a lease lost or free is looked at again.
  const leases = new WorkLeases(
    { tables: managerDeps.tables, clock: managerDeps.clock, random: managerDeps.random, logger: managerDeps.logger, service: "lambda", processLocal: managerDeps.processLocal ?? true, ...(managerDeps.leaseTuning !== undefined && { tuning: managerDeps.leaseTuning }) },
    {
      changed: (unitKey) => enqueue(...splitKey(unitKey)),
      stop: (unitKey) => stopRunner(unitKey),
    },
  );

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
    if (record === undefined) {
      await stopRunner(key);
      await leases.remove(key);
      return;
    }
    // A disabled mapping at rest needs no lease (taking one for nothing at every renewal would only raise its epoch).
    if (!record.Enabled && record.State === "Disabled") {
      await stopRunner(key);
      await leases.release(key);
      return;
    }
    // Only the lease's holder acts on a mapping; a deletion or a disabling is carried out whatever the fair share.
    const running = record.Enabled && record.State !== "Deleting";
    const lease = leases.held(key) ?? (await leases.acquire(key, { force: !running }));
    if (lease === undefined) return void (await stopRunner(key));
    const runner = runners.get(key);
    // A look that changes nothing (a renewal's, a LastProcessingResult written) leaves the pollers be.
    if (running && record.State === "Enabled" && runner !== undefined && runner.lease === lease) return;
    await stopRunner(key);
    if (record.State === "Deleting") {
      await checkpoints.drop(accountId, uuid);
      await mappings.remove(accountId, uuid);
      await leases.remove(key);
      return;
    }
    if (!record.Enabled) {
      if (record.State !== "Disabled") await settleState(accountId, uuid, record.State, "Disabled");
      await leases.release(key);
      return;
    }
    runners.set(key, new MappingRunner(deps, record, lease));
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
      await leases.start();
      for (const accountId of await mappings.accounts()) {
        for (const record of await mappings.list(accountId)) enqueue(accountId, record.UUID);
      }
      await queue;
    },
    async stop() {
      stopped = true;
      await queue;
      await Promise.all([...runners.keys()].map((key) => stopRunner(key)));
      await leases.stop();
    },
    changed(accountId, uuid) {
      enqueue(accountId, uuid);
    },
    settled() {
      return queue;
    },
  };
}

/** A unit key (`<accountId>/<uuid>`) back into its parts. */
function splitKey(unitKey: string): [string, string] {
  const at = unitKey.indexOf("/");
  return [unitKey.slice(0, at), unitKey.slice(at + 1)];
}
