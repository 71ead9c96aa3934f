/**
 * The Kinesis Data Streams service: X-Amz-Target prefix `Kinesis_20131202`.
 */
import type { AwsService } from "../protocol/aws-service.js";
import { checkShape } from "../protocol/shapes.js";
import type { WireFormat } from "../protocol/wire-format.js";
import { streamsActions } from "./actions/index.js";
import type { StreamsContext } from "./context.js";
import { StreamRegistry } from "./stream-registry.js";
import { AccountSettingsStore } from "./account-settings.js";
import type { StreamsConfig } from "./config.js";
import type { StorageEngine } from "../storage/types.js";
import { FaultControl, type FaultConfig } from "./faults/index.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";

export type { StreamsConfig } from "./config.js";
export { defaultStreamsConfig } from "./config.js";
export { parseFaultRules, faultConfigBytesMax, type FaultConfig, type FaultControl, type FaultSnapshot } from "./faults/index.js";

export interface StreamsServiceDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: StreamsConfig;
  storage: StorageEngine;
  /** Fault rules to install at start (`--faults`); none by default. */
  faults?: FaultConfig;
}

export interface StreamsService extends AwsService {
  readonly context: StreamsContext;
  /** Fault injection rules, replaced at runtime by the admin endpoint. */
  readonly faults: FaultControl;
  start(): void;
  stop(): Promise<void>;
}

export function createStreamsService(deps: StreamsServiceDeps): StreamsService {
  const streams = new StreamRegistry(deps.storage.catalog, deps.storage.logs, deps.clock, deps.config, deps.logger);
  const context: StreamsContext = {
    clock: deps.clock,
    random: deps.random,
    logger: deps.logger,
    config: deps.config,
    streams,
    account: new AccountSettingsStore(deps.storage.catalog),
    logs: deps.storage.logs,
    iteratorKey: deps.storage.catalog.secret(),
  };
  const faults = new FaultControl(deps.clock, Object.keys(streamsActions), deps.faults);
  return {
    targetPrefix: "Kinesis_20131202",
    context,
    faults,
    hasAction: (name) => Object.prototype.hasOwnProperty.call(streamsActions, name),
    async invoke(name: string, body: unknown, format: WireFormat) {
      const action = streamsActions[name]!;
      const input = checkShape<Record<string, unknown>>(body, action.shape, format);
      // Without fault rules a call costs one check here; with them, faults apply before the action runs.
      if (faults.injector === undefined) return action.run(context, input);
      return faults.invoke(context, name, action, input);
    },
    start: () => streams.start(),
    stop: () => {
      faults.stop();
      return streams.stop();
    },
  };
}
