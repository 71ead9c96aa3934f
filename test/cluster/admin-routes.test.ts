/**
 * The admin routes across real nodes (docs/cluster.md, docs/fault-injection.md): two `tributary
 * server --storage nats` processes on one NATS server. Fault rules installed through node A are in
 * force on node B; a reset through B drops the shared state and the rules, and A, told through the
 * catalog, restarts its services: what A creates afterwards every node sees.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { startCluster, type TributaryCluster } from "../helpers/cluster.js";
import { rawRequest } from "../helpers/raw.js";
import { waitFor } from "../helpers/wait.js";

let cluster: TributaryCluster;

before(async () => {
  cluster = await startCluster({ nodes: 2, natsServers: 1, args: ["--log-level", "info"] });
});
after(() => cluster?.stop());

function clientOf(url: string): KinesisClient {
  return new KinesisClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }, maxAttempts: 1 });
}

async function listOutcome(client: KinesisClient): Promise<string> {
  try {
    await client.send(new ListStreamsCommand({}));
    return "ok";
  } catch (error) {
    return (error as Error).name;
  }
}

describe("cluster > admin routes over NATS", () => {
  it("fault rules set through A throttle B; a reset through B clears them and restarts A's services", async () => {
    const [a, b] = cluster.nodes.map((node) => node.url) as [string, string];
    const kinesisA = clientOf(a);
    const kinesisB = clientOf(b);
    await kinesisA.send(new CreateStreamCommand({ StreamName: "before-reset", ShardCount: 1 }));

    const installed = await rawRequest(a, JSON.stringify({ rules: [{ action: "ListStreams", fault: "throttle" }] }), { method: "PUT", path: "/_tributary/faults", contentType: "application/json" });
    assert.equal(installed.statusCode, 200, JSON.stringify(installed.body));
    await waitFor("node B throttles ListStreams", async () => (await listOutcome(kinesisB)) === "LimitExceededException", 15_000);

    const reset = await rawRequest(b, "", { method: "POST", path: "/_tributary/reset" });
    assert.equal(reset.statusCode, 200, JSON.stringify(reset.body) + cluster.describe());
    assert.equal(reset.body.dropped.streams, 1);
    await waitFor("node A drops the rules", async () => (await listOutcome(kinesisA)) === "ok", 15_000);
    assert.deepEqual((await kinesisA.send(new ListStreamsCommand({}))).StreamNames, []);
    await waitFor("node A logs its restart", () => cluster.nodes[0]!.stderr().includes("services restarted after another node's reset"), 15_000);

    await kinesisA.send(new CreateStreamCommand({ StreamName: "after-reset", ShardCount: 1 }));
    const described = await kinesisB.send(new DescribeStreamSummaryCommand({ StreamName: "after-reset" }));
    assert.equal(described.StreamDescriptionSummary?.StreamName, "after-reset");
    kinesisA.destroy();
    kinesisB.destroy();
  });
});
