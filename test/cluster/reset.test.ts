/**
 * A reset across nodes (src/server/cluster-reset.ts, docs/cluster.md): two nodes over one shared
 * engine in this process; `POST /_tributary/reset` through node B drops the shared state, and node
 * A restarts its services on its own: A forgets the fault rules, serves the empty state, and a
 * function created through A afterwards is stored and readable through both nodes (without the
 * restart, A's Lambda service keeps the ids of the tables the reset dropped).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateStreamCommand, KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { GetFunctionCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { createMemoryEngine } from "../../src/storage/index.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { createActive, handlerZip, role, startLambdaServer, type LambdaTestServer } from "../lambda/api-fixtures.js";
import { rawRequest } from "../helpers/raw.js";
import { waitFor } from "../helpers/wait.js";
import { nodeEngine } from "./cluster-helpers.js";

describe("cluster > a reset through one node", () => {
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

  it("restarts the other node's services: rules gone, state empty, new functions stored where every node reads them", async () => {
    const kinesisA = new KinesisClient({ endpoint: a.server.url, region: a.server.region, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }, maxAttempts: 1 });
    await kinesisA.send(new CreateStreamCommand({ StreamName: "before-reset", ShardCount: 1 }));
    await createActive(a.client, { FunctionName: "before-reset", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip } });
    const rules = { rules: [{ action: "ListStreams", fault: "throttle" }] };
    const installed = await rawRequest(a.server.url, JSON.stringify(rules), { method: "PUT", path: "/_tributary/faults", contentType: "application/json" });
    assert.equal(installed.statusCode, 200);

    const reset = await rawRequest(b.server.url, "", { method: "POST", path: "/_tributary/reset" });
    assert.equal(reset.statusCode, 200, JSON.stringify(reset.body));

    const rulesAtA = async () => (await rawRequest(a.server.url, "", { method: "GET", path: "/_tributary/faults" })).body.config;
    await waitFor("node A drops the fault rules", async () => (await rulesAtA()) === null);
    assert.deepEqual((await kinesisA.send(new ListStreamsCommand({}))).StreamNames, []);
    assert.deepEqual((await a.client.send(new ListFunctionsCommand({}))).Functions, []);

    await createActive(a.client, { FunctionName: "after-reset", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip } });
    assert.equal((await b.client.send(new GetFunctionCommand({ FunctionName: "after-reset" }))).Configuration?.FunctionName, "after-reset");
    assert.equal((await a.client.send(new GetFunctionCommand({ FunctionName: "after-reset" }))).Configuration?.FunctionName, "after-reset");
    kinesisA.destroy();
  });
});
