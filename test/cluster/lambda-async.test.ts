/**
 * Lambda's asynchronous invocations on two Tributary nodes over one engine: an account's queued
 * events run on the one node holding the account's lease, whichever node queued them, each once;
 * after that node stops, the other runs them.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { createMemoryEngine } from "../../src/storage/index.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { waitFor } from "../helpers/wait.js";
import { createActive, handlerZip, role, startLambdaServer, type LambdaTestServer } from "../lambda/api-fixtures.js";
import { nodeEngine } from "./cluster-helpers.js";

const payloads = (server: LambdaTestServer) => server.executor.calls.map((call) => call.input.payload.toString());

describe("cluster > lambda asynchronous invocations over two nodes", () => {
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

  const invokeEvent = (server: LambdaTestServer, n: number) =>
    server.client.send(new InvokeCommand({ FunctionName: "async-fn", InvocationType: "Event", Payload: Buffer.from(JSON.stringify({ n })) }));

  it("runs every event once on the node holding the account's lease, and on the other after it stops", async () => {
    await createActive(a.client, { FunctionName: "async-fn", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: handlerZip } });
    await invokeEvent(a, 0);
    await waitFor("node A runs the event it queued", () => payloads(a).includes('{"n":0}'));
    for (const n of [1, 2, 3]) await invokeEvent(b, n);
    // Node A finds the events node B queued at its next renewal (every 2 s).
    await waitFor("node A runs the events node B queued", () => [1, 2, 3].every((n) => payloads(a).includes(JSON.stringify({ n }))), 15_000);
    assert.deepEqual(payloads(b), [], "node B runs none of the account's events");
    assert.equal(payloads(a).length, 4, "each once");

    await a.stop();
    await invokeEvent(b, 4);
    await waitFor("node B runs events once node A is gone", () => payloads(b).includes('{"n":4}'), 15_000);
    assert.deepEqual(payloads(b), ['{"n":4}']);
  });
});
