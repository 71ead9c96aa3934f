/**
 * Lambda functions on two Tributary nodes over one engine: a function created through one node is
 * served by the other, and the code download URL one node answers (GetFunction's Code.Location)
 * is good on the other, as it would be behind a load balancer.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GetFunctionCommand } from "@aws-sdk/client-lambda";
import { createMemoryEngine } from "../../src/storage/index.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { createActive, handlerZip, role, startLambdaServer, type LambdaTestServer } from "../lambda/api-fixtures.js";
import { nodeEngine } from "./cluster-helpers.js";

describe("cluster > lambda functions over two nodes", () => {
  const shared = createMemoryEngine(systemRandom);
  let a: LambdaTestServer;
  let b: LambdaTestServer;
  before(async () => {
    a = await startLambdaServer({ storage: nodeEngine(shared).engine, random: new SeededRandom(1) });
    b = await startLambdaServer({ storage: nodeEngine(shared).engine, random: new SeededRandom(2) });
  });
  after(async () => {
    await a.stop();
    await b.stop();
  });

  it("downloads through node B the code location node A answered", async () => {
    await createActive(a.client, { FunctionName: "clustered-fn", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip } });
    const got = await b.client.send(new GetFunctionCommand({ FunctionName: "clustered-fn" }));
    assert.equal(got.Configuration?.FunctionName, "clustered-fn");
    const fromA = (await a.client.send(new GetFunctionCommand({ FunctionName: "clustered-fn" }))).Code!.Location!;
    assert.ok(fromA.startsWith(a.server.url));
    const throughB = b.server.url + fromA.slice(a.server.url.length);
    const download = await fetch(throughB);
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), handlerZip);
  });
});
