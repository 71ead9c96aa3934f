/** The storage case suite against the memory engine. */
import { runStorageCases } from "./cases.js";
import { createMemoryEngine } from "../../src/storage/index.js";
import { SeededRandom } from "../../src/util/random.js";

runStorageCases("memory", async () => {
  const engine = createMemoryEngine(new SeededRandom(1));
  return { engine, cleanup: () => engine.close() };
});
