/**
 * The storage case suite against the embedded engine on the real filesystem: once with tiny
 * segments and index intervals (so every case crosses segment rolls and index entries) and once
 * with the defaults.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { account, runStorageCases } from "./cases.js";
import { createEmbeddedEngine, type EmbeddedEngineOptions } from "../../src/storage/index.js";
import type { StorageEngine } from "../../src/storage/types.js";
import { systemClock } from "../../src/util/clock.js";
import type { EmbeddedLogStore } from "../../src/storage/embedded/log/log-store.js";
import { openLogFollower } from "../../src/storage/embedded/log/log-follower.js";
import { nodeFs } from "../../src/storage/embedded/fs-port.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

function embeddedHarness(tuning: Partial<EmbeddedEngineOptions>) {
  return async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "tributary-embedded-"));
    const open = () => createEmbeddedEngine({ dataDir, fsync: "always", clock: systemClock, random: new SeededRandom(7), logger: silentLogger, accountId: account, ...tuning });
    let engine: StorageEngine = await open();
    return {
      engine,
      async reopen() {
        await engine.close();
        engine = await open();
        return engine;
      },
      // The data-directory lock allows one engine per directory: the second handle is the engine's own.
      secondLogs: () => (engine.logs as EmbeddedLogStore).secondHandle(),
      // A second process's handle: a follower of the files that takes no lock.
      follower: async () => {
        const follower = openLogFollower({ dataDir, fs: nodeFs, clock: systemClock, logger: silentLogger, pollIntervalMs: 5 });
        return { logs: follower, close: () => follower.close() };
      },
      async cleanup() {
        await engine.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  };
}

runStorageCases("embedded (small segments)", embeddedHarness({ segmentBytesMax: 16 * 1024, indexIntervalBytes: 512, checkpointIntervalBytes: 4096, readChunkBytes: 4096 }));
runStorageCases("embedded (defaults)", embeddedHarness({}));
