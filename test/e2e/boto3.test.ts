/**
 * A whole stream lifecycle through boto3 (Debian's python3-boto3), changed only by endpoint_url.
 * The scenario is test/e2e/fixtures/boto3-scenario.py: it checks each step itself and prints a
 * summary, which is checked again here.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { awsClientEnv, pythonPath, requireBoto3, run } from "./external-clients.js";

const scenario = fileURLToPath(new URL("./fixtures/boto3-scenario.py", import.meta.url));
let server: TestServer;

before(async () => {
  await requireBoto3();
  server = await startTestServer({ streams: { createStreamMs: 200, deleteStreamMs: 200, updateStreamMs: 200 } });
});

after(async () => {
  await server?.stop();
});

describe("e2e > boto3", () => {
  it("e2e > boto3 > create, wait, put, list shards, read with every iterator type, tag, retain, delete, wait", async () => {
    const streamName = `boto3-${process.pid}`;
    const result = await run(pythonPath, [scenario, server.url, streamName], awsClientEnv(server.region));
    assert.equal(result.code, 0, `boto3 scenario failed:\n${result.stderr}`);
    const summary = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as {
      streamArn: string;
      shardIds: string[];
      records: string[];
      tags: { Key: string; Value: string }[];
      notFound: string;
    };
    assert.equal(summary.streamArn, `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${streamName}`);
    assert.deepEqual(summary.shardIds, ["shardId-000000000000", "shardId-000000000001"]);
    assert.deepEqual(
      summary.records.map((hex) => Buffer.from(hex, "hex")),
      [Buffer.from([0, 1, 2, 254, 255, 10, 13]), Buffer.from("second"), Buffer.from("third"), Buffer.from("fourth"), Buffer.from("after-the-boundary")],
    );
    assert.deepEqual(summary.tags, [{ Key: "team", Value: "data" }]);
    assert.equal(summary.notFound, `Stream ${streamName} under account ${server.accountId} not found.`);
  });
});
