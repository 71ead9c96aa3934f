/**
 * The live runtime: runs every RUNNING application of every account in this process, one
 * ApplicationRunner each (runner.ts). It follows the stored applications — actions tell it of a
 * change, and it looks at every application again every `reconcileIntervalMs`, so a status that
 * fell due, a runner that failed (started again from its checkpoint) and a change another process
 * made are followed too. Changes to one application are followed one at a time, in order.
 *
 * A running application is started again (its positions and, when its code and configuration
 * are unchanged, its engine state carried over by a checkpoint) when its version changes
 * (UpdateApplication and the Add/Delete actions); stopped with a final checkpoint when it stops;
 * stopped without one and its checkpoints dropped when it is deleted.
 */
import type { Clock, Timer } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { StreamAccess } from "../../storage/stream-access.js";
import type { DeliveryStreamAccess } from "../../storage/delivery-stream-access.js";
import type { FunctionInvoker } from "../../storage/function-invoker.js";
import type { ObjectClient } from "../../storage/object-client/object-client.js";
import type { AnalyticsOptions, RuntimeControl } from "../context.js";
import type { ApplicationStore } from "../store/applications.js";
import type { StoredApplication } from "../model.js";
import { settled } from "../actions/common.js";
import { ApplicationRunner } from "./runner.js";
import type { MetricsRecorder } from "../../core/metrics.js";
import type { TableStore } from "../../storage/types.js";
import type { Random } from "../../util/random.js";
import { WorkLeases, type HeldLease, type WorkLeaseTuning } from "../../storage/work-leases.js";

export interface RuntimeDeps {
  clock: Clock;
  logger: Logger;
  store: ApplicationStore;
  options: AnalyticsOptions;
  region: string;
  streamAccess: StreamAccess;
  deliveryStreamAccess: DeliveryStreamAccess;
  functionInvoker: FunctionInvoker;
  objectClient: ObjectClient;
  /** Where the runners record CloudWatch metrics (metrics.ts). */
  metrics?: MetricsRecorder;
  /** Where the work leases live (src/storage/work-leases.ts): an application runs on the one node holding its lease. */
  leases?: { tables: TableStore; random: Random; processLocal: boolean; tuning?: Partial<WorkLeaseTuning> };
}

const reconcileIntervalMs = 1000;

export class AnalyticsRuntime implements RuntimeControl {
  private readonly runners = new Map<string, ApplicationRunner>();
  /** Per application, the tail of its chain of reconciliations. */
  private readonly chains = new Map<string, Promise<void>>();
  private timer: Timer | undefined;
  private started = false;
  private stopping = false;
  private readonly leases: WorkLeases | undefined;

  constructor(private readonly deps: RuntimeDeps) {
    const leases = deps.leases;
    this.leases =
      leases === undefined
        ? undefined
        : new WorkLeases(
            { tables: leases.tables, clock: deps.clock, random: leases.random, logger: deps.logger, service: "analytics", processLocal: leases.processLocal, ...(leases.tuning !== undefined && { tuning: leases.tuning }) },
            {
              changed: (unitKey) => {
                const [accountId, name] = unitKey.split("\u0000") as [string, string];
                if (!this.stopping) this.follow(accountId, name);
              },
              stop: async (unitKey) => {
                const runner = this.runners.get(unitKey);
                if (runner === undefined) return;
                this.runners.delete(unitKey);
                await runner.stop(true);
              },
            },
          );
  }

  applicationChanged(accountId: string, name: string): void {
    if (this.started) this.follow(accountId, name);
  }

  async start(): Promise<void> {
    this.started = true;
    await this.leases?.start();
    await this.reconcileAll();
    this.timer = this.deps.clock.setInterval(() => void this.reconcileAll(), reconcileIntervalMs, { unref: true });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.deps.clock.clearTimer(this.timer);
    await Promise.all(this.chains.values());
    await Promise.all([...this.runners.values()].map((runner) => runner.stop(true)));
    this.runners.clear();
    await this.leases?.stop();
  }

  /** `/health`'s analytics part while applications run: how many, and what they took, made and wrote since they started. */
  health(): Record<string, unknown> | undefined {
    if (!this.started || this.runners.size === 0) return undefined;
    let recordsIn = 0;
    let rowsIn = 0;
    let errors = 0;
    let recordsOut = 0;
    let outputBacklog = 0;
    for (const runner of this.runners.values()) {
      recordsIn += runner.counts.records;
      rowsIn += runner.counts.rows;
      errors += runner.counts.errors;
      recordsOut += runner.writtenRecords();
      outputBacklog += runner.backlog();
    }
    return { runningApplications: this.runners.size, recordsIn, rowsIn, errors, recordsOut, outputBacklog };
  }

  /** The runner of an application (tests, health). */
  runner(accountId: string, name: string): ApplicationRunner | undefined {
    return this.runners.get(keyOf(accountId, name));
  }

  private async reconcileAll(): Promise<void> {
    if (this.stopping) return;
    try {
      const seen = new Set<string>();
      for (const accountId of await this.deps.store.accounts()) {
        for (const application of await this.deps.store.list(accountId)) {
          seen.add(keyOf(accountId, application.ApplicationName));
          this.follow(accountId, application.ApplicationName);
        }
      }
      for (const key of this.runners.keys()) {
        if (!seen.has(key)) {
          const [accountId, name] = key.split("\u0000") as [string, string];
          this.follow(accountId, name);
        }
      }
    } catch (error) {
      this.deps.logger.warn({ err: error }, "the analytics runtime could not list applications");
    }
  }

  private follow(accountId: string, name: string): void {
    const key = keyOf(accountId, name);
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.reconcile(accountId, name))
      .catch((error: unknown) => this.deps.logger.error({ err: error, application: name }, "the analytics runtime could not follow an application"));
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  private async reconcile(accountId: string, name: string): Promise<void> {
    if (this.stopping) return;
    const key = keyOf(accountId, name);
    const stored = await this.deps.store.get(accountId, name);
    const application = stored === undefined ? undefined : settled(stored, this.deps.clock.nowMs());
    const current = this.runners.get(key);
    if (application === undefined || application.status === "DELETING") {
      if (current !== undefined) {
        this.runners.delete(key);
        await current.stop(false);
      }
      if (stored !== undefined && application === undefined) {
        // The deletion is through: the application and its checkpoints go.
        await this.deps.store.remove(accountId, name, stored.incarnationId);
        await this.deps.store.dropCheckpoints(accountId, stored.incarnationId);
      }
      if (stored === undefined || application === undefined) await this.leases?.remove(key);
      return;
    }
    if (!application.running) {
      if (current !== undefined) {
        this.runners.delete(key);
        await current.stop(true);
      }
      await this.leases?.release(key);
      return;
    }
    // Run only by the node holding the application's lease (taken at once on a single node).
    const lease = this.leases === undefined ? undefined : (this.leases.held(key) ?? (await this.leases.acquire(key)));
    if (this.leases !== undefined && lease === undefined) {
      if (current !== undefined) {
        this.runners.delete(key);
        // The lease is gone: a final checkpoint would be refused; the new holder resumes from the last one.
        await current.stop(false);
      }
      return;
    }
    if (current !== undefined && !current.failed && sameRun(current.application, application) && current.lease === lease) return;
    if (current !== undefined) {
      this.runners.delete(key);
      // A new version keeps its place: the final checkpoint carries the positions over.
      await current.stop(current.application.incarnationId === application.incarnationId);
    }
    await this.startRunner(accountId, key, application, lease);
  }

  private async startRunner(accountId: string, key: string, application: StoredApplication, lease: HeldLease | undefined): Promise<void> {
    // A runner that fails is started again by the next look at every application (within a second).
    const runner = new ApplicationRunner({ ...this.deps, accountId, ...(lease !== undefined && { lease }) }, application, () => undefined);
    this.runners.set(key, runner);
    // A lease lost (this node cut off from storage past its deadline) stops the runner at once, without a final checkpoint.
    lease?.signal.addEventListener(
      "abort",
      () => {
        if (this.runners.get(key) !== runner) return;
        this.runners.delete(key);
        runner.stop(false).catch((error: unknown) => this.deps.logger.warn({ err: error, application: application.ApplicationName }, "the application did not stop cleanly"));
      },
      { once: true },
    );
    try {
      await runner.start();
    } catch (error) {
      this.runners.delete(key);
      this.deps.logger.error({ err: error, application: application.ApplicationName }, "the application could not start; trying again");
      await runner.stop(false);
    }
  }
}

function keyOf(accountId: string, name: string): string {
  return `${accountId}\u0000${name}`;
}

function sameRun(a: StoredApplication, b: StoredApplication): boolean {
  return a.incarnationId === b.incarnationId && a.runNumber === b.runNumber && a.ApplicationVersionId === b.ApplicationVersionId;
}
