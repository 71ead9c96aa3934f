/** The storage case suite against the memory engine. */
import { runStorageCases } from "./cases.js";
import { createMemoryEngine } from "../../src/storage/index.js";
import { SeededRandom } from "../../src/util/random.js";
import { MemoryLogStore } from "../../src/storage/memory/memory-engine.js";

runStorageCases("memory", async () => {
  const engine = createMemoryEngine(new SeededRandom(1));
  // A second handle: another LogStore over the same shared log data, as a second process would share it.
  return {
    engine,
    cleanup: () => engine.close(),
    secondLogs: () => new MemoryLogStore((engine.logs as MemoryLogStore).data),
    follower: async () => ({ logs: new MemoryLogStore((engine.logs as MemoryLogStore).data), close: async () => {} }),
  };
});
