/** Issue 7's proof scenario with polling retrieval (GetRecords): see consumer-scenario.ts. */
import { it } from "node:test";
import { runConsumerScenario } from "./consumer-scenario.js";

it("Consumer > polling > three workers, split and merge, kill -9 and a join, then a restart from checkpoints", { timeout: 180_000 }, async () => {
  await runConsumerScenario({ mode: "polling", failoverMs: 3000 });
});
