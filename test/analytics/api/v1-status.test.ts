/**
 * The v1 API's status transitions on a ManualClock (runtime off): STARTING, UPDATING, STOPPING and
 * DELETING each last their delay, and what they refuse meanwhile.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateApplicationCommand,
  DeleteApplicationCommand,
  DescribeApplicationCommand,
  StartApplicationCommand,
  StopApplicationCommand,
  UpdateApplicationCommand,
  type KinesisAnalyticsClient,
} from "@aws-sdk/client-kinesis-analytics";
import type { TestServer } from "../../helpers/server.js";
import { ManualClock } from "../../../src/util/clock.js";
import { analyticsClient, errorOf, kinesisInput, startAnalyticsServer, streamArnOf } from "./fixtures.js";

const delayMs = 1000;
const clock = new ManualClock(Date.UTC(2026, 0, 1));
let server: TestServer;
let client: KinesisAnalyticsClient;
before(async () => {
  server = await startAnalyticsServer({ clock, analytics: { runtimeEnabled: false, startDelayMs: delayMs, stopDelayMs: delayMs, updateDelayMs: delayMs, deleteDelayMs: delayMs } });
  client = analyticsClient(server);
});
after(() => server.stop());

const status = async () => (await client.send(new DescribeApplicationCommand({ ApplicationName: "timed" }))).ApplicationDetail!.ApplicationStatus;
const version = async () => (await client.send(new DescribeApplicationCommand({ ApplicationName: "timed" }))).ApplicationDetail!.ApplicationVersionId!;

describe("status transitions", () => {
  it("STARTING, then RUNNING; UPDATING, then RUNNING; STOPPING, then READY; DELETING, then gone", async () => {
    await client.send(new CreateApplicationCommand({ ApplicationName: "timed", Inputs: [kinesisInput(streamArnOf(server, "in"))] }));
    await client.send(new StartApplicationCommand({ ApplicationName: "timed", InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "NOW" } }] }));
    assert.equal(await status(), "STARTING");
    const busy = await errorOf(client.send(new UpdateApplicationCommand({ ApplicationName: "timed", CurrentApplicationVersionId: 1, ApplicationUpdate: { ApplicationCodeUpdate: "" } })));
    assert.deepEqual(busy, { name: "ResourceInUseException", message: "Application timed is in STARTING state, operation is not allowed in this state.", status: 400 });
    clock.advance(delayMs);
    assert.equal(await status(), "RUNNING");

    await client.send(new UpdateApplicationCommand({ ApplicationName: "timed", CurrentApplicationVersionId: 1, ApplicationUpdate: { ApplicationCodeUpdate: "" } }));
    assert.equal(await status(), "UPDATING");
    assert.equal(await version(), 2);
    clock.advance(delayMs);
    assert.equal(await status(), "RUNNING");

    await client.send(new StopApplicationCommand({ ApplicationName: "timed" }));
    assert.equal(await status(), "STOPPING");
    assert.equal((await errorOf(client.send(new StartApplicationCommand({ ApplicationName: "timed", InputConfigurations: [] })))).name, "ResourceInUseException");
    clock.advance(delayMs);
    assert.equal(await status(), "READY");

    const { CreateTimestamp } = (await client.send(new DescribeApplicationCommand({ ApplicationName: "timed" }))).ApplicationDetail!;
    await client.send(new DeleteApplicationCommand({ ApplicationName: "timed", CreateTimestamp }));
    assert.equal(await status(), "DELETING");
    assert.equal((await errorOf(client.send(new DeleteApplicationCommand({ ApplicationName: "timed", CreateTimestamp })))).name, "ResourceInUseException");
    clock.advance(delayMs);
    assert.equal((await errorOf(client.send(new DescribeApplicationCommand({ ApplicationName: "timed" })))).name, "ResourceNotFoundException");
  });
});
