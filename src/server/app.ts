/**
 * Composes a Tributary node: storage engine, services and the HTTP listener, from one deps
 * object. The CLI and the tests both start servers through here.
 */
import { startHttpServer, type RunningServer } from "./create-server.js";
import { createStreamsService, type FaultConfig, type StreamsConfig, type StreamsService } from "../streams/index.js";
import { faultsRoute } from "./faults-route.js";
import type { StorageEngine } from "../storage/types.js";
import type { MasterKeySource } from "../storage/encryption/index.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";

export interface AppConfig {
  host: string;
  port: number;
  requestBytesMax: number;
  streams: StreamsConfig;
  /** Fault injection rules installed at start (`--faults`, docs/fault-injection.md). */
  faults?: FaultConfig;
}

export interface AppDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: AppConfig;
  storage: StorageEngine;
  /** The master key for encryption at rest (docs/encryption.md); by default one kept in memory only. */
  masterKey?: MasterKeySource;
}

export interface RunningApp {
  url: string;
  port: number;
  streams: StreamsService;
  /** Graceful stop: no new work, finish what is in flight, make storage durable. */
  stop(): Promise<void>;
}

/**
 * 14 MiB: a maximal PutRecords (10 MiB of data and partition keys, the most any stream takes since
 * AWS's large records) base64-encodes to 13.34 MiB, leaving over 600 KiB for the JSON around it.
 */
export const requestBytesMaxDefault = 14 * 1024 * 1024;

export async function startApp(deps: AppDeps): Promise<RunningApp> {
  const streams = createStreamsService({ ...deps, config: deps.config.streams, faults: deps.config.faults });
  try {
    // A wrong or missing master key stops the start here, naming the key the data needs.
    await streams.context.keyRing.verify(deps.storage.catalog.list());
  } catch (error) {
    await deps.storage.close();
    throw error;
  }
  streams.start();
  let http: RunningServer;
  try {
    http = await startHttpServer({
      config: { host: deps.config.host, port: deps.config.port, requestBytesMax: deps.config.requestBytesMax },
      services: [streams],
      logger: deps.logger,
      health: () => ({ storage: deps.storage.name }),
      routes: [faultsRoute(streams.faults)],
    });
  } catch (error) {
    await streams.stop();
    await deps.storage.close();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    url: http.url,
    port: http.port,
    streams,
    stop() {
      stopping ??= (async () => {
        await http.close();
        await streams.stop();
        await deps.storage.close();
      })();
      return stopping;
    },
  };
}
