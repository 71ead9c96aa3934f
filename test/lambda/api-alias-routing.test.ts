/**
 * Weighted alias routing (RoutingConfig.AdditionalVersionWeights): each invocation of the alias
 * runs the additional version with its weight, the alias's own version otherwise, and
 * X-Amz-Executed-Version names the version that ran. The server draws from a SeededRandom, so
 * the split is the same on every run; it is checked against the binomial bounds anyway.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateAliasCommand, InvokeCommand, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand } from "@aws-sdk/client-lambda";
import { routedVersion } from "../../src/lambda/function-lookup.js";
import { SeededRandom } from "../../src/util/random.js";
import { waitFor } from "../helpers/wait.js";
import { zipOf } from "../helpers/zip.js";
import { createActive, handlerZip, rawLambda, role, startLambdaServer, waitUpdated, type LambdaTestServer } from "./api-fixtures.js";

let lambda: LambdaTestServer;
const functionArn = "arn:aws:lambda:us-east-1:000000000000:function:canary";
before(async () => {
  lambda = await startLambdaServer({ random: new SeededRandom(16) });
  await createActive(lambda.client, { FunctionName: "canary", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip } });
  await lambda.client.send(new PublishVersionCommand({ FunctionName: "canary" }));
  await lambda.client.send(new UpdateFunctionCodeCommand({ FunctionName: "canary", ZipFile: zipOf({ "index.mjs": "export const handler = async () => 2;\n" }) }));
  await waitUpdated(lambda.client, "canary");
  await lambda.client.send(new PublishVersionCommand({ FunctionName: "canary" }));
});
after(() => lambda.stop());

/** Invokes the alias `count` times (raw HTTP) and counts the executed versions. */
async function split(count: number): Promise<Record<string, number>> {
  const executed: Record<string, number> = {};
  for (let index = 0; index < count; index++) {
    const answer = await rawLambda(lambda.server, "POST", "/2015-03-31/functions/canary:live/invocations", "{}");
    assert.equal(answer.status, 200);
    const version = answer.headers.get("x-amz-executed-version")!;
    assert.equal((answer.json as { version: string }).version, version, "the header names the version that ran");
    executed[version] = (executed[version] ?? 0) + 1;
  }
  return executed;
}

describe("alias routing", () => {
  it("sends each invocation to the additional version with its weight (1,000 runs at 0.3 within 3.5 standard deviations)", async () => {
    await lambda.client.send(new CreateAliasCommand({ FunctionName: "canary", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.3 } } }));
    const executed = await split(1000);
    assert.deepEqual(Object.keys(executed).sort(), ["1", "2"]);
    // Binomial(1000, 0.3): mean 300, standard deviation 14.5.
    assert.ok(executed["2"]! >= 250 && executed["2"]! <= 350, `version 2 ran ${executed["2"]} times of 1,000`);
    const runs = lambda.executor.calls.slice(-1000);
    assert.ok(runs.every((call) => call.fn.invokedArn === `${functionArn}:live`), "the function sees the alias it was invoked by");
    assert.ok(runs.every((call) => call.fn.versionArn === `${functionArn}:${call.fn.version}`));
  });

  it("through the SDK: ExecutedVersion; weight 0 never and weight 1 always runs the additional version", async () => {
    await lambda.client.send(new UpdateAliasCommand({ FunctionName: "canary", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0 } } }));
    assert.deepEqual(await split(100), { "1": 100 });
    await lambda.client.send(new UpdateAliasCommand({ FunctionName: "canary", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 1 } } }));
    assert.deepEqual(await split(100), { "2": 100 });
    const answer = await lambda.client.send(new InvokeCommand({ FunctionName: "canary", Qualifier: "live" }));
    assert.equal(answer.ExecutedVersion, "2");
    const dryRun = await rawLambda(lambda.server, "POST", "/2015-03-31/functions/canary:live/invocations", "{}", { "x-amz-invocation-type": "DryRun" });
    assert.equal(dryRun.status, 204);
    assert.equal(dryRun.headers.get("x-amz-executed-version"), "2");
    await lambda.client.send(new UpdateAliasCommand({ FunctionName: "canary", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: {} } }));
    assert.deepEqual(await split(50), { "1": 50 });
  });

  it("asynchronous invocations are routed when they run", async () => {
    await lambda.client.send(new UpdateAliasCommand({ FunctionName: "canary", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } } }));
    const before = lambda.executor.calls.length;
    for (let index = 0; index < 40; index++) {
      const queued = await rawLambda(lambda.server, "POST", "/2015-03-31/functions/canary:live/invocations", `{"n":${index}}`, { "x-amz-invocation-type": "Event" });
      assert.equal(queued.status, 202);
    }
    await waitFor("the 40 queued events ran", () => lambda.executor.calls.length >= before + 40);
    const versions = new Set(lambda.executor.calls.slice(before).map((call) => call.fn.version));
    assert.deepEqual([...versions].sort(), ["1", "2"]);
  });

  it("routedVersion: the additional version's share of 100,000 seeded draws is its weight within 0.01", () => {
    for (const weight of [0.05, 0.3, 0.5, 0.95]) {
      const random = new SeededRandom(Math.round(weight * 100));
      const alias = { Name: "a", FunctionVersion: "3", Description: "", RevisionId: "r", RoutingConfig: { AdditionalVersionWeights: { "7": weight } } };
      let additional = 0;
      for (let draw = 0; draw < 100_000; draw++) if (routedVersion(alias, random) === "7") additional++;
      assert.ok(Math.abs(additional / 100_000 - weight) < 0.01, `weight ${weight}: ${additional} of 100,000`);
    }
    assert.equal(routedVersion({ Name: "a", FunctionVersion: "3", Description: "", RevisionId: "r" }, new SeededRandom(1)), "3");
  });
});
