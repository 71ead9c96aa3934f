/**
 * CloudWatch is per account (docs/cloudwatch.md): under `--auth sigv4` with two accounts in the
 * credentials file, each account's ListMetrics, GetMetricStatistics and GetMetricData see only the
 * metrics of its own streams, and two accounts' streams of one name are two series with their own
 * sums. A third account with no streams sees nothing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CreateStreamCommand, PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestCredentials, type TestServer } from "../helpers/server.js";
import { CredentialsDir, credentialsEntry } from "../auth/sigv4-helpers.js";
import { cloudWatchClient, protocols } from "./fixture.js";

const accountA = "111122223333";
const accountB = "444455556666";
const accountC = "777788889999";
const alice: TestCredentials = { accessKeyId: "AKIAALICEMETRICS0001", secretAccessKey: "alice/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const bob: TestCredentials = { accessKeyId: "AKIABOBMETRICS000001", secretAccessKey: "bob/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const carol: TestCredentials = { accessKeyId: "AKIACAROLMETRICS0001", secretAccessKey: "carol/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };

let credentials: CredentialsDir;
let server: TestServer;
const kinesisClients: KinesisClient[] = [];
const cloudWatchClients: CloudWatchClient[] = [];

function kinesis(as: TestCredentials): KinesisClient {
  const made = kinesisClient(server, as);
  kinesisClients.push(made);
  return made;
}

function cloudWatch(as: TestCredentials, protocol: (typeof protocols)[number]): CloudWatchClient {
  const made = cloudWatchClient(server, protocol, as);
  cloudWatchClients.push(made);
  return made;
}

async function put(as: TestCredentials, StreamName: string, count: number): Promise<void> {
  await kinesis(as).send(new PutRecordsCommand({ StreamName, Records: Array.from({ length: count }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from("x") })) }));
}

const window = () => ({ StartTime: new Date(Date.now() - 10 * 60_000), EndTime: new Date(Date.now() + 60_000) });

before(async () => {
  credentials = new CredentialsDir();
  credentials.write([credentialsEntry("alice", alice, accountA), credentialsEntry("bob", bob, accountB), credentialsEntry("carol", carol, accountC)]);
  server = await startTestServer({ credentialsFile: credentials.path });
  // Both accounts have a stream named "orders"; only account A has "audit".
  await kinesis(alice).send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 1 }));
  await kinesis(alice).send(new CreateStreamCommand({ StreamName: "audit", ShardCount: 1 }));
  await kinesis(bob).send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 1 }));
  await put(alice, "orders", 3);
  await put(alice, "audit", 2);
  await put(bob, "orders", 5);
});

after(async () => {
  for (const made of [...kinesisClients, ...cloudWatchClients]) made.destroy();
  await server?.stop();
  credentials?.remove();
});

for (const protocol of protocols) {
  describe(`cloudwatch > accounts > ${protocol}`, () => {
    it("ListMetrics lists only the caller's account's streams", async () => {
      const streams = async (as: TestCredentials) => {
        const answer = await cloudWatch(as, protocol).send(new ListMetricsCommand({ Namespace: "AWS/Kinesis", MetricName: "IncomingRecords" }));
        return (answer.Metrics ?? []).map((metric) => metric.Dimensions!.find((d) => d.Name === "StreamName")!.Value).sort();
      };
      assert.deepEqual(await streams(alice), ["audit", "orders"]);
      assert.deepEqual(await streams(bob), ["orders"]);
      assert.deepEqual(await streams(carol), []);
      const all = await cloudWatch(carol, protocol).send(new ListMetricsCommand({}));
      assert.deepEqual(all.Metrics ?? [], [], "an account without resources has no metrics at all");
    });

    it("GetMetricStatistics sums each account's own stream of one name apart", async () => {
      const sum = async (as: TestCredentials, stream: string) => {
        const answer = await cloudWatch(as, protocol).send(
          new GetMetricStatisticsCommand({ Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: stream }], ...window(), Period: 60, Statistics: ["Sum"] }),
        );
        return (answer.Datapoints ?? []).reduce((total, datapoint) => total + datapoint.Sum!, 0);
      };
      assert.equal(await sum(alice, "orders"), 3);
      assert.equal(await sum(bob, "orders"), 5);
      assert.equal(await sum(alice, "audit"), 2);
      assert.equal(await sum(bob, "audit"), 0, "another account's stream is not the caller's metric");
      assert.equal(await sum(carol, "orders"), 0);
    });

    it("GetMetricData reads the caller's account's series", async () => {
      const values = async (as: TestCredentials) => {
        const answer = await cloudWatch(as, protocol).send(
          new GetMetricDataCommand({
            ...window(),
            MetricDataQueries: ["orders", "audit"].map((stream) => ({
              Id: stream,
              MetricStat: { Metric: { Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: stream }] }, Period: 60, Stat: "Sum" },
            })),
          }),
        );
        return Object.fromEntries((answer.MetricDataResults ?? []).map((result) => [result.Id, (result.Values ?? []).reduce((total, value) => total + value, 0)]));
      };
      assert.deepEqual(await values(alice), { orders: 3, audit: 2 });
      assert.deepEqual(await values(bob), { orders: 5, audit: 0 });
    });
  });
}
