/**
 * Lambda's reserved concurrency across two Tributary nodes (src/lambda/runtime/cluster-concurrency.ts):
 * a function with ReservedConcurrentExecutions 2 invoked through both nodes at once runs 2 in all,
 * and the rest are throttled with Lambda's TooManyRequestsException — over an in-process peer hub,
 * and on a real two-node cluster over NATS. Without a bus, each node counts only its own: 4 run.
 *
 * The function's handler writes a marker when it starts and waits for a gate file, so the test
 * knows what runs and ends the runs when it has seen enough.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetFunctionConcurrencyCommand, InvokeCommand, LambdaClient, PutFunctionConcurrencyCommand, TooManyRequestsException, type InvokeCommandOutput } from "@aws-sdk/client-lambda";
import { createLambdaServiceModule } from "../../src/lambda/index.js";
import { SandboxExecutor } from "../../src/lambda/runtime/executor.js";
import { s3ServiceModule } from "../../src/s3/index.js";
import { createMemoryEngine } from "../../src/storage/index.js";
import { createPeerHub, type PeerBus } from "../../src/storage/peer-bus.js";
import { streamsServiceModule } from "../../src/streams/index.js";
import { systemRandom } from "../../src/util/random.js";
import { startCluster } from "../helpers/cluster.js";
import { exampleCredentials, startTestServer, type TestServer } from "../helpers/server.js";
import { waitFor } from "../helpers/wait.js";
import { zipOf } from "../helpers/zip.js";
import { createActive, role } from "../lambda/api-fixtures.js";
import { nodeEngine } from "./cluster-helpers.js";

const gatedZip = zipOf({
  "index.js": `
const fs = require('node:fs');
const path = require('node:path');
exports.handler = async (event, context) => {
  fs.writeFileSync(path.join(process.env.STARTED_DIR, context.awsRequestId), '');
  while (!fs.existsSync(process.env.GATE)) await new Promise((resolve) => setTimeout(resolve, 20));
  return 'done';
};
`,
});

/** A client that reports a throttle instead of retrying it (the SDK retries TooManyRequestsException). */
const clientOf = (url: string) => new LambdaClient({ endpoint: url, region: "us-east-1", credentials: exampleCredentials, maxAttempts: 1 });

interface Scenario {
  /** Each node's client. */
  clients: readonly [LambdaClient, LambdaClient];
  /** Resolves once node `index` counts `count` runs of the function on the other node (in-process only: the executor at hand). */
  othersKnow?: (index: number, functionArn: string, count: number) => Promise<void>;
}

interface Outcome {
  ran: number;
  throttles: { name: string; message: string; Reason?: string }[];
}

/**
 * Creates a gated function with ReservedConcurrentExecutions 2 through node 0, then starts one run
 * through node 0 and one through node 1 (each once the one before runs), then one more through each
 * node at once; opens the gate once those two are throttled or running, and counts.
 */
async function twoThroughEach(scenario: Scenario, functionName: string): Promise<Outcome> {
  const [a, b] = scenario.clients;
  const dir = mkdtempSync(join(tmpdir(), "tributary-lambda-concurrency-"));
  const startedDir = join(dir, "started");
  const gate = join(dir, "gate");
  mkdirSync(startedDir);
  const started = () => readdirSync(startedDir).length;
  try {
    const created = await createActive(a, {
      FunctionName: functionName, Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Timeout: 120, Code: { ZipFile: gatedZip },
      Environment: { Variables: { STARTED_DIR: startedDir, GATE: gate } },
    });
    const functionArn = created.FunctionArn!;
    await a.send(new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: 2 }));
    await waitFor("node 1 sees the reservation", async () => (await b.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }))).ReservedConcurrentExecutions === 2, 30_000, 50);

    const invoke = (client: LambdaClient) => client.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from("{}") }));
    const runs: Promise<InvokeCommandOutput>[] = [];
    // A failure half-way leaves runs unanswered when the servers stop: not an unhandled rejection.
    const track = (run: Promise<InvokeCommandOutput>) => {
      run.catch(() => undefined);
      runs.push(run);
    };
    track(invoke(a));
    await waitFor("the first run starts", () => started() === 1, 60_000, 20);
    await scenario.othersKnow?.(1, functionArn, 1);
    track(invoke(b));
    await waitFor("the second run starts", () => started() === 2, 60_000, 20);
    await scenario.othersKnow?.(0, functionArn, 1);

    const throttles: Outcome["throttles"] = [];
    const more = [invoke(a), invoke(b)].map((run) =>
      run.then(
        (output) => ({ output }),
        (error: unknown) => {
          if (!(error instanceof TooManyRequestsException)) throw error;
          throttles.push({ name: error.name, message: error.message, ...(error.Reason !== undefined && { Reason: error.Reason }) });
          return undefined;
        },
      ),
    );
    // Each of the two either is throttled or starts running.
    await waitFor("the third and fourth are throttled or run", () => throttles.length + started() === 4, 60_000, 20);
    writeFileSync(gate, "");
    const answers = [...(await Promise.all(runs)), ...(await Promise.all(more)).flatMap((answer) => (answer === undefined ? [] : [answer.output]))];
    for (const answer of answers) assert.equal(Buffer.from(answer.Payload!).toString(), '"done"');
    return { ran: answers.length, throttles };
  } finally {
    writeFileSync(gate, "");
    rmSync(dir, { recursive: true, force: true });
  }
}

const reservedThrottle = { name: "TooManyRequestsException", message: "Rate Exceeded.", Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" };

/** Two in-process nodes over one memory engine, with a bus each (from one hub) or none. */
async function inProcessNodes(buses: readonly [PeerBus, PeerBus] | undefined) {
  const shared = createMemoryEngine(systemRandom);
  const executors: SandboxExecutor[] = [];
  const servers: TestServer[] = [];
  for (const index of [0, 1]) {
    const bus = buses?.[index];
    const lambda = createLambdaServiceModule({
      createExecutor: (deps) => {
        const executor = new SandboxExecutor(deps);
        executors[index] = executor;
        return executor;
      },
    });
    const storage = { ...nodeEngine(shared).engine, ...(bus !== undefined && { peers: bus }) };
    servers.push(await startTestServer({ storage, services: [streamsServiceModule, s3ServiceModule, lambda] }));
  }
  const clients = [clientOf(servers[0]!.url), clientOf(servers[1]!.url)] as const;
  return {
    clients,
    // Bounded, and not a failure by itself: a node that never learns admits a run too many, which
    // the outcome's assertion reports.
    othersKnow: async (index: number, functionArn: string, count: number) => {
      await waitFor(`node ${index} counts the other node's runs`, () => executors[index]!.concurrency.othersInFlight(functionArn) === count, 5_000).catch(() => undefined);
    },
    async stop() {
      for (const client of clients) client.destroy();
      for (const server of servers) await server.stop();
    },
  };
}

describe("cluster > lambda concurrency across nodes", () => {
  it("in one process over a peer hub: ReservedConcurrentExecutions 2 through two nodes runs 2 in all, the rest throttled", { timeout: 180_000 }, async () => {
    const hub = createPeerHub();
    const nodes = await inProcessNodes([hub.join("node-0"), hub.join("node-1")]);
    try {
      const outcome = await twoThroughEach(nodes, "reserved-two-hub");
      assert.equal(outcome.ran, 2);
      assert.deepEqual(outcome.throttles, [reservedThrottle, reservedThrottle]);
    } finally {
      await nodes.stop();
    }
  });

  it("in one process without a bus: each node counts only its own runs, 4 run (one node's counting, as before)", { timeout: 180_000 }, async () => {
    const nodes = await inProcessNodes(undefined);
    try {
      const outcome = await twoThroughEach({ clients: nodes.clients }, "reserved-two-alone");
      assert.equal(outcome.ran, 4);
      assert.deepEqual(outcome.throttles, []);
    } finally {
      await nodes.stop();
    }
  });

  describe("on a real two-node cluster (NATS)", () => {
    let stopCluster: (() => Promise<void>) | undefined;
    after(async () => stopCluster?.());

    it("through the Lambda SDK client, 2 run in all and the rest are throttled with Lambda's error", { timeout: 300_000 }, async () => {
      const cluster = await startCluster({ nodes: 2 });
      stopCluster = () => cluster.stop();
      const clients = [clientOf(cluster.nodes[0]!.url), clientOf(cluster.nodes[1]!.url)] as const;
      try {
        const outcome = await twoThroughEach({ clients }, "reserved-two-cluster");
        assert.equal(outcome.ran, 2, cluster.describe());
        assert.deepEqual(outcome.throttles, [reservedThrottle, reservedThrottle]);
      } finally {
        for (const client of clients) client.destroy();
      }
    });
  });
});
