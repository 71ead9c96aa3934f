import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeLimitsCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestServer } from "../../helpers/server.js";
import { call, formats, ok } from "../../helpers/wire-assert.js";

const action = "DescribeLimits";

describe("DescribeLimits", () => {
  let server: TestServer;
  let client: KinesisClient;
  before(async () => {
    server = await startTestServer({ streams: { shardLimit: 77 } });
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("behaviour", () => {
    it("reports config.shardLimit and no usage on a new server, in JSON and CBOR", async () => {
      for (const format of formats) {
        const response = await call(server, format, action, {});
        assert.equal(response.statusCode, 200);
        assert.deepEqual(response.body, { ShardLimit: 77, OpenShardCount: 0, OnDemandStreamCount: 0, OnDemandStreamCountLimit: 50 });
      }
    });

    it("counts PROVISIONED streams' open shards and ON_DEMAND streams, until they are deleted", async () => {
      await ok(server, "CreateStream", { StreamName: "provisioned-a", ShardCount: 3 });
      await ok(server, "CreateStream", { StreamName: "provisioned-b", ShardCount: 2 });
      await ok(server, "CreateStream", { StreamName: "on-demand" });
      assert.deepEqual(await ok(server, action, {}), { ShardLimit: 77, OpenShardCount: 5, OnDemandStreamCount: 1, OnDemandStreamCountLimit: 50 });
      await ok(server, "DeleteStream", { StreamName: "provisioned-a" });
      await ok(server, "DeleteStream", { StreamName: "on-demand" });
      assert.deepEqual(await ok(server, action, {}), { ShardLimit: 77, OpenShardCount: 2, OnDemandStreamCount: 0, OnDemandStreamCountLimit: 50 });
    });

    it("ignores members it does not define", async () => {
      assert.equal((await ok(server, action, { StreamName: 42 })).ShardLimit, 77);
    });

    it("describes through the SDK", async () => {
      const limits = await client.send(new DescribeLimitsCommand({}));
      assert.equal(limits.ShardLimit, 77);
      assert.equal(limits.OpenShardCount, 2);
      assert.equal(limits.OnDemandStreamCount, 0);
      assert.equal(limits.OnDemandStreamCountLimit, 50);
    });
  });
});
