import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeAccountSettingsCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestServer } from "../../helpers/server.js";
import { call, formats, ok } from "../../helpers/wire-assert.js";
import { restartableServer, setCommitment } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "DescribeAccountSettings";
const dayMs = 24 * 3600 * 1000;

describe("DescribeAccountSettings", () => {
  let server: TestServer;
  let client: KinesisClient;
  const startMs = 1_750_000_000_000;
  const clock = new ManualClock(startMs);
  before(async () => {
    server = await startTestServer({ clock });
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("behaviour", () => {
    it("reports the commitment DISABLED on a new account, in JSON and CBOR", async () => {
      for (const format of formats) {
        const response = await call(server, format, action, {});
        assert.equal(response.statusCode, 200);
        assert.deepEqual(response.body, { MinimumThroughputBillingCommitment: { Status: "DISABLED" } });
      }
    });

    it("ignores members it does not define", async () => {
      assert.deepEqual(await ok(server, action, { MinimumThroughputBillingCommitment: 42 }), { MinimumThroughputBillingCommitment: { Status: "DISABLED" } });
    });

    it("reports an enabled commitment with its start and earliest end, in JSON and CBOR", async () => {
      await setCommitment(server, "ENABLED");
      clock.advance(5000);
      const json = await call(server, "json", action, {});
      assert.deepEqual(json.body, {
        MinimumThroughputBillingCommitment: { Status: "ENABLED", StartedAt: startMs / 1000, EarliestAllowedEndAt: (startMs + dayMs) / 1000 },
      });
      const cbor = await call(server, "cbor", action, {});
      assert.deepEqual(cbor.body, {
        MinimumThroughputBillingCommitment: { Status: "ENABLED", StartedAt: { tag1: startMs }, EarliestAllowedEndAt: { tag1: startMs + dayMs } },
      });
    });

    it("describes through the SDK", async () => {
      const out = await client.send(new DescribeAccountSettingsCommand({}));
      assert.equal(out.MinimumThroughputBillingCommitment!.Status, "ENABLED");
      assert.equal(out.MinimumThroughputBillingCommitment!.StartedAt!.getTime(), startMs);
      assert.equal(out.MinimumThroughputBillingCommitment!.EarliestAllowedEndAt!.getTime(), startMs + dayMs);
      assert.equal(out.MinimumThroughputBillingCommitment!.EndedAt, undefined);
    });

    it("reports a scheduled end, and DISABLED once it has come", async () => {
      await setCommitment(server, "DISABLED");
      const scheduled = (await ok(server, action, {})).MinimumThroughputBillingCommitment;
      assert.equal(scheduled.Status, "ENABLED_UNTIL_EARLIEST_ALLOWED_END");
      assert.equal(scheduled.EndedAt, (startMs + dayMs) / 1000);
      clock.set(startMs + dayMs);
      assert.deepEqual((await ok(server, action, {})).MinimumThroughputBillingCommitment, {
        Status: "DISABLED",
        StartedAt: startMs / 1000,
        EndedAt: (startMs + dayMs) / 1000,
        EarliestAllowedEndAt: (startMs + dayMs) / 1000,
      });
    });
  });

  describe("durability", () => {
    it("keeps the account settings across a restart of the embedded engine", async () => {
      const restartable = await restartableServer();
      try {
        const enabled = await setCommitment(restartable.current(), "ENABLED");
        assert.equal(enabled.Status, "ENABLED");
        const again = await restartable.restart();
        assert.deepEqual((await ok(again, action, {})).MinimumThroughputBillingCommitment, enabled);
      } finally {
        await restartable.close();
      }
    });
  });
});
