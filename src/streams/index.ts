/**
 * The Kinesis Data Streams service: X-Amz-Target prefix `Kinesis_20131202`.
 */
import type { AwsService } from "../protocol/aws-service.js";
import { checkShape } from "../protocol/shapes.js";
import type { WireFormat } from "../protocol/wire-format.js";
import { streamsActions } from "./actions/index.js";
import type { StreamsContext } from "./context.js";
import { StreamRegistry } from "./stream-registry.js";
import type { StreamsConfig } from "./config.js";
import type { StorageEngine } from "../storage/types.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";

export type { StreamsConfig } from "./config.js";
export { defaultStreamsConfig } from "./config.js";

export interface StreamsServiceDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: StreamsConfig;
  storage: StorageEngine;
}

export interface StreamsService extends AwsService {
  readonly context: StreamsContext;
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
    logs: deps.storage.logs,
    iteratorKey: deps.storage.catalog.secret(),
  };
  return {
    targetPrefix: "Kinesis_20131202",
    context,
    hasAction: (name) => Object.prototype.hasOwnProperty.call(streamsActions, name),
    async invoke(name: string, body: unknown, format: WireFormat) {
      const action = streamsActions[name]!;
      const input = checkShape(body, action.shape, format);
      return action.run(context, input);
    },
    start: () => streams.start(),
    stop: () => streams.stop(),
  };
}
