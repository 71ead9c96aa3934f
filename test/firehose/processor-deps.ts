/** What the processor tests hand createProcessors: a fixed account and stream, no Lambda function (a call fails the test). */
import assert from "node:assert/strict";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

export const processorDeps = {
  accountId: "000000000000",
  region: "us-east-1",
  deliveryStreamArn: "arn:aws:firehose:us-east-1:000000000000:deliverystream/s",
  functionInvoker: { invoke: async () => assert.fail("no function here") },
  clock: systemClock,
  random: new SeededRandom(1),
  logger: silentLogger,
};
