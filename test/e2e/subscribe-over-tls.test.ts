/**
 * SubscribeToShard over https: the SDK for JavaScript v3 with its default configuration — HTTP/2,
 * here negotiated by ALPN on the listener's TLS port — trusting only the server's self-signed
 * certificate. The same proof as over h2c: every record across a split, following ChildShards,
 * nothing lost or duplicated; and several subscribers on several shards at once.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { createSelfSignedCertificate, type TlsMaterial } from "../../src/server/tls-certificate.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import type { RunningApp } from "../../src/server/app.js";
import { randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { checkSplitDelivery, registerConsumer, shardIdOf, subscribe } from "../helpers/subscription.js";
import { ok } from "../helpers/wire-assert.js";

describe("SubscribeToShard over TLS", () => {
  let material: TlsMaterial;
  let app: RunningApp;
  let server: TestServer;
  let client: KinesisClient;
  before(async () => {
    material = createSelfSignedCertificate({
      commonName: "Tributary test",
      dnsNames: ["localhost"],
      ipAddresses: ["127.0.0.1"],
      nowMs: systemClock.nowMs(),
      validityMs: 24 * 3600 * 1000,
      random: systemRandom,
    });
    server = await startTestServer({ tls: material });
    app = server.app!;
    const { region } = server;
    assert.ok(app.tlsUrl?.startsWith("https://"), "the server serves TLS");
    client = new KinesisClient({
      endpoint: app.tlsUrl,
      region,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
      // The SDK's own default for Kinesis (HTTP/2, a session per request), trusting our certificate.
      requestHandler: { disableConcurrentStreams: true, nodeHttp2ConnectOptions: { ca: material.cert } },
    });
  });
  after(async () => {
    client.destroy();
    await app.stop();
  });

  it("delivers every record across a split, following ChildShards", () => checkSplitDelivery(server, client));

  it("serves several consumers on several shards at once", async () => {
    const streamName = randomStreamName("tls-fan-out");
    await ok(server, "CreateStream", { StreamName: streamName, ShardCount: 2 });
    const subscriptions = [];
    for (const consumerName of ["a", "b", "c"]) {
      const consumerArn = await registerConsumer(server, streamName, consumerName);
      for (const shardIndex of [0, 1]) subscriptions.push({ shardIndex, subscription: await subscribe(client, consumerArn, shardIdOf(shardIndex), { Type: "LATEST" }) });
    }
    const half = 1n << 127n;
    const entries = Array.from({ length: 40 }, (_, index) => ({
      PartitionKey: `k${index}`,
      Data: Buffer.from(`r${index}`),
      ExplicitHashKey: (index % 2 === 0 ? 1n : half + 1n).toString(),
    }));
    assert.equal((await client.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }))).FailedRecordCount, 0);
    for (const { shardIndex, subscription } of subscriptions) {
      const expected = entries.filter((_, index) => index % 2 === shardIndex).map((entry) => entry.Data.toString());
      await subscription.until(() => subscription.records().length >= expected.length, `shard ${shardIndex}'s records`);
      assert.deepEqual(subscription.data(), expected);
    }
    await Promise.all(subscriptions.map(({ subscription }) => subscription.close()));
  });
});
