/**
 * POST /_tributary/reset (src/server/reset-route.ts): drops every stream, consumer, policy, table
 * and account setting, serves on as freshly started (init applied again, the start's fault rules
 * back), holds requests that arrive meanwhile; loopback only under --auth none, admin principals
 * only under --auth sigv4.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { request as httpRequest } from "node:http";
import {
  CreateStreamCommand, DescribeAccountSettingsCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand,
  KinesisClient, ListStreamsCommand, PutRecordCommand, PutResourcePolicyCommand, RegisterStreamConsumerCommand, UpdateAccountSettingsCommand,
} from "@aws-sdk/client-kinesis";
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { startServer, type TributaryServer } from "../../src/index.js";
import { CredentialsDir, credentialsEntry, sdkSigner } from "../auth/sigv4-helpers.js";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

interface Answer {
  status: number;
  body: string;
}

function post(url: string, headers: Record<string, string> = {}, body = ""): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode!, body: text }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

const tableRequest = (name: string) => ({
  TableName: name,
  KeySchema: [{ AttributeName: "k", KeyType: "HASH" as const }],
  AttributeDefinitions: [{ AttributeName: "k", AttributeType: "S" as const }],
  BillingMode: "PAY_PER_REQUEST" as const,
});

describe("embedding > reset", () => {
  let server: TributaryServer;
  let kinesis: KinesisClient;
  let dynamo: DynamoDBClient;
  before(async () => {
    server = await startServer({
      limits: "off",
      init: { streams: [{ StreamName: "seeded", ShardCount: 1 }] },
      faults: { seed: 1, rules: [{ action: "DescribeLimits", fault: "internal-failure" }] },
    });
    kinesis = new KinesisClient({ endpoint: server.url, region: "us-east-1", credentials, maxAttempts: 1 });
    dynamo = new DynamoDBClient({ endpoint: server.url, region: "us-east-1", credentials, maxAttempts: 1 });
  });
  after(async () => {
    kinesis.destroy();
    dynamo.destroy();
    await server.close();
  });

  it("embedding > reset > drops streams, records, consumers, policies, tables and account settings; init and the start's faults come back", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "mine", ShardCount: 2 }));
    const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/mine";
    await kinesis.send(new PutRecordCommand({ StreamName: "mine", PartitionKey: "k", Data: Buffer.from("before") }));
    await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: "c" }));
    await kinesis.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kinesis:DescribeStreamSummary", Resource: arn }] }) }));
    await kinesis.send(new UpdateAccountSettingsCommand({ MinimumThroughputBillingCommitment: { Status: "ENABLED" } }));
    await dynamo.send(new CreateTableCommand(tableRequest("leases")));
    const iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "mine", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator!;
    // The fault route replaced the start's rules with none.
    assert.equal((await fetch(`${server.url}/_tributary/faults`, { method: "DELETE" })).status, 200);

    const answer = await post(`${server.url}/_tributary/reset`);
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(JSON.parse(answer.body), { dropped: { streams: 2, tables: 1 } });

    assert.deepEqual((await kinesis.send(new ListStreamsCommand({}))).StreamNames, ["seeded"], "only the init file's stream, applied again");
    assert.equal((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "seeded" }))).StreamDescriptionSummary!.ConsumerCount, 0);
    assert.deepEqual((await dynamo.send(new ListTablesCommand({}))).TableNames, []);
    const settings = await kinesis.send(new DescribeAccountSettingsCommand({}));
    assert.equal(settings.MinimumThroughputBillingCommitment?.Status ?? "DISABLED", "DISABLED");
    await assert.rejects(kinesis.send(new GetRecordsCommand({ ShardIterator: iterator })), (error: Error) => error.name === "ResourceNotFoundException" || error.name === "ExpiredIteratorException" || error.name === "InvalidArgumentException");
    const faults = (await (await fetch(`${server.url}/_tributary/faults`)).json()) as { config: unknown };
    assert.notEqual(faults.config, null, "the start's fault rules are installed again");

    // A fresh stream of a dropped name starts empty.
    await kinesis.send(new CreateStreamCommand({ StreamName: "mine", ShardCount: 1 }));
    const fresh = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "mine", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator!;
    assert.deepEqual((await kinesis.send(new GetRecordsCommand({ ShardIterator: fresh }))).Records, []);
  });

  it("embedding > reset > requests during a reset wait for it and none fails with a server error", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "busy", ShardCount: 4 })).catch(() => undefined);
    const outcomes: string[] = [];
    const writers = Array.from({ length: 40 }, (_unused, index) =>
      kinesis.send(new PutRecordCommand({ StreamName: "busy", PartitionKey: `k${index}`, Data: Buffer.from("x") })).then(
        () => outcomes.push("ok"),
        (error: Error & { $metadata?: { httpStatusCode?: number } }) => outcomes.push(`${error.name}:${error.$metadata?.httpStatusCode}`),
      ),
    );
    const resets = [post(`${server.url}/_tributary/reset`), post(`${server.url}/_tributary/reset`)];
    await Promise.all(writers);
    for (const answer of await Promise.all(resets)) assert.equal(answer.status, 200, answer.body);
    assert.equal(outcomes.length, 40);
    for (const outcome of outcomes) assert.ok(outcome === "ok" || outcome === "ResourceNotFoundException:400", outcome);
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual((await kinesis.send(new ListStreamsCommand({}))).StreamNames, ["seeded"]);
  });

  it("embedding > reset > other methods on the path are not a reset", async () => {
    const answer = await fetch(`${server.url}/_tributary/reset`);
    assert.equal(answer.status, 403, "a GET is the AWS pipeline's AccessDenied, as any other path");
    assert.deepEqual((await kinesis.send(new ListStreamsCommand({}))).StreamNames!.includes("seeded"), true);
  });

  it("embedding > reset > a client on another machine is refused under --auth none", async (context) => {
    const address = Object.values(networkInterfaces()).flat().find((entry) => entry?.family === "IPv4" && !entry.internal)?.address;
    if (address === undefined) {
      context.skip("this machine has no non-loopback IPv4 address to connect from");
      return;
    }
    const open = await startServer({ host: "0.0.0.0", allowUnauthenticated: true, functions: "off", init: { streams: [{ StreamName: "kept", ShardCount: 1 }] } });
    try {
      const answer = await post(`http://${address}:${open.port}/_tributary/reset`);
      assert.equal(answer.status, 403);
      assert.match(JSON.parse(answer.body).message, /^reset is served only to clients on this machine under --auth none; .* is not a loopback address$/);
      const local = await post(`http://127.0.0.1:${open.port}/_tributary/reset`);
      assert.equal(local.status, 200, local.body);
    } finally {
      await open.close();
    }
  });
});

describe("embedding > reset > --auth sigv4", () => {
  const admin = { accessKeyId: "AKIDADMIN", secretAccessKey: "admin-secret" };
  const user = { accessKeyId: "AKIDUSER", secretAccessKey: "user-secret" };
  let dir: CredentialsDir;
  let server: TributaryServer;
  before(async () => {
    dir = new CredentialsDir();
    dir.write([{ ...credentialsEntry("admin", admin), admin: true }, credentialsEntry("user", user)]);
    server = await startServer({ auth: "sigv4", credentialsFile: dir.path, init: { streams: [{ StreamName: "seeded", ShardCount: 1 }] } });
  });
  after(async () => {
    await server.close();
    dir.remove();
  });

  async function signedReset(signer: ReturnType<typeof sdkSigner>): Promise<Answer> {
    const url = new URL(`${server.url}/_tributary/reset`);
    const signed = await signer.sign({
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, "content-type": "application/json" },
      body: "{}",
    });
    return post(url.href, signed.headers as Record<string, string>, "{}");
  }

  it("embedding > reset > --auth sigv4 > an admin key resets; a signed non-admin is refused; an unsigned request is refused", async () => {
    const kinesis = new KinesisClient({ endpoint: server.url, region: "us-east-1", credentials: user, maxAttempts: 1 });
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: "extra", ShardCount: 1 }));
      const unsigned = await post(`${server.url}/_tributary/reset`);
      // The signature check's own answer, as an unsigned AWS call with a body gets it.
      assert.equal(unsigned.status, 400, unsigned.body);
      assert.equal(JSON.parse(unsigned.body).__type, "MissingAuthenticationTokenException");
      const byUser = await signedReset(sdkSigner(user));
      assert.equal(byUser.status, 403);
      assert.equal(JSON.parse(byUser.body).message, 'arn:aws:iam::000000000000:user/user may not reset: only an access key marked "admin": true in the credentials file may');
      const wrongSecret = await signedReset(sdkSigner({ accessKeyId: admin.accessKeyId, secretAccessKey: "guess" }));
      assert.equal(wrongSecret.status, 400);
      assert.equal(JSON.parse(wrongSecret.body).__type, "InvalidSignatureException");
      assert.deepEqual((await kinesis.send(new ListStreamsCommand({}))).StreamNames, ["extra", "seeded"], "nothing dropped yet");

      const byAdmin = await signedReset(sdkSigner(admin));
      assert.equal(byAdmin.status, 200, byAdmin.body);
      assert.deepEqual(JSON.parse(byAdmin.body), { dropped: { streams: 2, tables: 0 } });
      assert.deepEqual((await kinesis.send(new ListStreamsCommand({}))).StreamNames, ["seeded"]);
    } finally {
      kinesis.destroy();
    }
  });

  it("embedding > reset > --auth sigv4 > admin must be a boolean in the credentials file", async () => {
    const bad = new CredentialsDir();
    try {
      bad.write([{ ...credentialsEntry("admin", admin), admin: "yes" }]);
      await assert.rejects(startServer({ auth: "sigv4", credentialsFile: bad.path }), /credentials\[0\]: admin of AKIDADMIN must be true or false when given/);
    } finally {
      bad.remove();
    }
  });
});
