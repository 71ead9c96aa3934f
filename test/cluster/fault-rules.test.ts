/**
 * Fault rules across nodes (src/streams/faults/shared-fault-rules.ts, docs/fault-injection.md):
 * two nodes over one shared engine in this process; rules installed through node A's admin route
 * apply to calls node B serves, a node started later takes them, and a DELETE through B clears
 * them on A. On one process (memory, embedded) rules stay in memory: the conformance suite covers that.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { createMemoryEngine } from "../../src/storage/index.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { rawRequest, type RawResponse } from "../helpers/raw.js";
import { waitFor } from "../helpers/wait.js";
import { nodeEngine } from "./cluster-helpers.js";

const throttleListStreams = { seed: 7, rules: [{ action: "ListStreams", fault: "throttle" }] };

function admin(server: TestServer, method: string, body = ""): Promise<RawResponse> {
  return rawRequest(server.url, body, { method, path: "/_tributary/faults", contentType: "application/json" });
}

/** An SDK client with retries off, so each fault reaches the caller. */
function clientOf(server: TestServer): KinesisClient {
  return new KinesisClient({ endpoint: server.url, region: server.region, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }, maxAttempts: 1 });
}

/** The error name a call ends with, or "ok". */
async function outcome(client: KinesisClient): Promise<string> {
  try {
    await client.send(new ListStreamsCommand({}));
    return "ok";
  } catch (error) {
    return (error as Error).name;
  }
}

describe("cluster > fault rules apply on every node", () => {
  const shared = createMemoryEngine(systemRandom);
  const servers: TestServer[] = [];
  const start = async (seed: number) => {
    const server = await startTestServer({ storage: nodeEngine(shared).engine, random: new SeededRandom(seed) });
    servers.push(server);
    return server;
  };
  before(async () => {
    await start(1);
    await start(2);
  });
  after(async () => {
    for (const server of servers) await server.stop();
  });

  it("installed through A, in force on B; a node started later has them; cleared through B, gone on A", async () => {
    const [a, b] = servers as [TestServer, TestServer];
    const clientA = clientOf(a);
    const clientB = clientOf(b);
    assert.equal(await outcome(clientB), "ok");

    const installed = await admin(a, "PUT", JSON.stringify(throttleListStreams));
    assert.equal(installed.statusCode, 200, JSON.stringify(installed.body));
    await waitFor("node B installs A's rules", async () => (await admin(b, "GET")).body.config !== null);
    assert.deepEqual((await admin(b, "GET")).body.config, installed.body.config);
    assert.equal(await outcome(clientB), "LimitExceededException");
    assert.equal(await outcome(clientA), "LimitExceededException");
    // Each node counts the calls it served.
    assert.deepEqual((await admin(b, "GET")).body.counters, [{ matchedCalls: 1, injectedCalls: 1 }]);

    const c = await start(3);
    assert.deepEqual((await admin(c, "GET")).body.config, installed.body.config, "a node that starts takes the cluster's rules");

    assert.equal((await admin(b, "DELETE")).statusCode, 200);
    await waitFor("node A drops the rules", async () => (await admin(a, "GET")).body.config === null);
    await waitFor("node C drops the rules", async () => (await admin(c, "GET")).body.config === null);
    assert.equal(await outcome(clientA), "ok");
  });
});
