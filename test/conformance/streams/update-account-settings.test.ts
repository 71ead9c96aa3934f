import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, UpdateAccountSettingsCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertValidation, assertWrongTypes, call, ok } from "../../helpers/wire-assert.js";
import { restartableServer } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "UpdateAccountSettings";
const dayMs = 24 * 3600 * 1000;

describe("UpdateAccountSettings", () => {
  let server: TestServer;
  let client: KinesisClient;
  const t0 = 1_760_000_000_000;
  const clock = new ManualClock(t0);
  before(async () => {
    server = await startTestServer({ clock });
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const update = async (Status: string) => (await ok(server, action, { MinimumThroughputBillingCommitment: { Status } })).MinimumThroughputBillingCommitment;
  const seconds = (ms: number) => ms / 1000;

  describe("serialization", () => {
    it("rejects MinimumThroughputBillingCommitment that is not a structure", () =>
      assertWrongTypes(server, action, "MinimumThroughputBillingCommitment", "Structure"));
    it("rejects a Status that is not a string", () => assertWrongTypes(server, action, "MinimumThroughputBillingCommitment.Status", "String"));
  });

  describe("validation", () => {
    it("requires MinimumThroughputBillingCommitment", () =>
      assertValidation(server, action, {}, ["Value null at 'minimumThroughputBillingCommitment' failed to satisfy constraint: Member must not be null"]));

    it("requires its Status", () =>
      assertValidation(server, action, { MinimumThroughputBillingCommitment: {} }, [
        "Value null at 'minimumThroughputBillingCommitment.status' failed to satisfy constraint: Member must not be null",
      ]));

    it("takes only ENABLED or DISABLED", () =>
      assertValidation(server, action, { MinimumThroughputBillingCommitment: { Status: "ENABLED_UNTIL_EARLIEST_ALLOWED_END" } }, [
        "Value 'ENABLED_UNTIL_EARLIEST_ALLOWED_END' at 'minimumThroughputBillingCommitment.status' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]",
      ]));
  });

  describe("behaviour", () => {
    it("leaves a commitment that never started DISABLED when disabled", async () => {
      assert.deepEqual(await update("DISABLED"), { Status: "DISABLED" });
    });

    it("starts a commitment with a 24-hour minimum term, in JSON and CBOR", async () => {
      const json = await call(server, "json", action, { MinimumThroughputBillingCommitment: { Status: "ENABLED" } });
      assert.equal(json.statusCode, 200);
      assert.deepEqual(json.body, { MinimumThroughputBillingCommitment: { Status: "ENABLED", StartedAt: seconds(t0), EarliestAllowedEndAt: seconds(t0 + dayMs) } });
      clock.advance(1000);
      // Enabling a running commitment keeps it as it is.
      const cbor = await call(server, "cbor", action, { MinimumThroughputBillingCommitment: { Status: "ENABLED" } });
      assert.deepEqual(cbor.body, { MinimumThroughputBillingCommitment: { Status: "ENABLED", StartedAt: { tag1: t0 }, EarliestAllowedEndAt: { tag1: t0 + dayMs } } });
    });

    it("schedules a disable within the term for its end, and enabling again cancels it", async () => {
      const scheduled = { Status: "ENABLED_UNTIL_EARLIEST_ALLOWED_END", StartedAt: seconds(t0), EndedAt: seconds(t0 + dayMs), EarliestAllowedEndAt: seconds(t0 + dayMs) };
      assert.deepEqual(await update("DISABLED"), scheduled);
      clock.advance(3600 * 1000);
      assert.deepEqual(await update("DISABLED"), scheduled);
      assert.deepEqual(await update("ENABLED"), { Status: "ENABLED", StartedAt: seconds(t0), EarliestAllowedEndAt: seconds(t0 + dayMs) });
      assert.deepEqual(await update("DISABLED"), scheduled);
      clock.set(t0 + dayMs - 1);
      assert.equal((await ok(server, "DescribeAccountSettings", {})).MinimumThroughputBillingCommitment.Status, "ENABLED_UNTIL_EARLIEST_ALLOWED_END");
      clock.set(t0 + dayMs);
      assert.deepEqual((await ok(server, "DescribeAccountSettings", {})).MinimumThroughputBillingCommitment, { ...scheduled, Status: "DISABLED" });
    });

    it("starts a new commitment after one has ended, and ends one past its term at once", async () => {
      const t1 = t0 + 3 * dayMs;
      clock.set(t1);
      assert.deepEqual(await update("ENABLED"), { Status: "ENABLED", StartedAt: seconds(t1), EarliestAllowedEndAt: seconds(t1 + dayMs) });
      const t2 = t1 + 2 * dayMs;
      clock.set(t2);
      const ended = { Status: "DISABLED", StartedAt: seconds(t1), EndedAt: seconds(t2), EarliestAllowedEndAt: seconds(t1 + dayMs) };
      assert.deepEqual(await update("DISABLED"), ended);
      clock.advance(1000);
      assert.deepEqual(await update("DISABLED"), ended);
    });

    it("updates through the SDK", async () => {
      const now = clock.nowMs();
      const out = await client.send(new UpdateAccountSettingsCommand({ MinimumThroughputBillingCommitment: { Status: "ENABLED" } }));
      const commitment = out.MinimumThroughputBillingCommitment!;
      assert.equal(commitment.Status, "ENABLED");
      assert.equal(commitment.StartedAt!.getTime(), now);
      assert.equal(commitment.EarliestAllowedEndAt!.getTime(), now + dayMs);
      assert.equal(commitment.EndedAt, undefined);
    });

    it("applies concurrent updates one after another", async () => {
      const answers = await Promise.all(["DISABLED", "ENABLED", "DISABLED"].map((status) => update(status)));
      assert.deepEqual(answers.map((answer) => answer.Status), ["ENABLED_UNTIL_EARLIEST_ALLOWED_END", "ENABLED", "ENABLED_UNTIL_EARLIEST_ALLOWED_END"]);
      assert.equal((await ok(server, "DescribeAccountSettings", {})).MinimumThroughputBillingCommitment.Status, "ENABLED_UNTIL_EARLIEST_ALLOWED_END");
    });
  });

  describe("durability", () => {
    it("keeps a scheduled end across a restart of the embedded engine", async () => {
      const restartable = await restartableServer();
      try {
        const first = restartable.current();
        await ok(first, action, { MinimumThroughputBillingCommitment: { Status: "ENABLED" } });
        const scheduled = (await ok(first, action, { MinimumThroughputBillingCommitment: { Status: "DISABLED" } })).MinimumThroughputBillingCommitment;
        assert.equal(scheduled.Status, "ENABLED_UNTIL_EARLIEST_ALLOWED_END");
        const again = await restartable.restart();
        assert.deepEqual((await ok(again, "DescribeAccountSettings", {})).MinimumThroughputBillingCommitment, scheduled);
      } finally {
        await restartable.close();
      }
    });
  });
});
