/** Issue 7's proof scenario with enhanced fan-out retrieval (SubscribeToShard): see consumer-scenario.ts. */
import { it } from "node:test";
import { runConsumerScenario } from "./consumer-scenario.js";

it("Consumer > enhanced fan-out > three workers, split and merge, kill -9 and a join, then a restart from checkpoints", { timeout: 180_000 }, async () => {
  await runConsumerScenario({ mode: "fanout", failoverMs: 3000 });
});
