/**
 * Authorization through a server in `--auth sigv4` mode: identity policies from the credentials
 * file and resource policies from PutResourcePolicy decide every action, and refusals answer
 * AccessDeniedException (400) in IAM's words, in JSON and CBOR. "Cross-account" here is a
 * principal of account 444455556666 reading a stream of account 000000000000 (account isolation
 * itself: test/auth/accounts.test.ts).
 */
import { after, before, describe, it } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import {
  CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand,
  PutResourcePolicyCommand, RegisterStreamConsumerCommand, DescribeStreamConsumerCommand,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestCredentials, type TestServer } from "../helpers/server.js";
import { CredentialsDir, allowAll, signedCall, type Format } from "./sigv4-helpers.js";
import { kinesisActions, type ResourceLocator } from "../../src/streams/authorization/kinesis-actions.js";
import { streamsActions } from "../../src/streams/actions/index.js";

const home = "000000000000";
const partnerAccount = "444455556666";
const admin: TestCredentials = { accessKeyId: "AKIAADMINEXAMPLE0001", secretAccessKey: "admin/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const reader: TestCredentials = { accessKeyId: "AKIAREADEREXAMPLE001", secretAccessKey: "reader/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const partner: TestCredentials = { accessKeyId: "AKIAPARTNEREXAMPLE01", secretAccessKey: "partner/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const readerArn = `arn:aws:iam::${home}:user/reader`;
const partnerArn = `arn:aws:iam::${partnerAccount}:user/partner`;

/** Reads streams named orders-*, never GetRecords on secret-*; writes nothing. */
const readerPolicies = [
  {
    Version: "2012-10-17",
    Statement: [
      { Sid: "read", Effect: "Allow", Action: ["kinesis:Get*", "kinesis:DescribeStreamSummary", "kinesis:ListShards"], Resource: `arn:aws:kinesis:*:${home}:stream/*` },
      { Sid: "noSecrets", Effect: "Deny", Action: "kinesis:GetRecords", Resource: `arn:aws:kinesis:us-east-1:${home}:stream/secret-*` },
    ],
  },
  { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "kinesis:DescribeStream", Resource: `arn:aws:kinesis:us-east-1:${home}:stream/orders-*` } },
];
/** The partner's own account lets it read any stream of the home account; the stream must agree. */
const partnerPolicies = [
  { Version: "2012-10-17", Statement: { Effect: "Allow", Action: ["kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:PutRecord", "kinesis:DescribeStreamConsumer"], Resource: `arn:aws:kinesis:*:${home}:stream/*` } },
];

let credentials: CredentialsDir;
let server: TestServer;
const clients: KinesisClient[] = [];

function client(as: TestCredentials): KinesisClient {
  const made = kinesisClient(server, as);
  clients.push(made);
  return made;
}

const arnOf = (streamName: string) => `arn:aws:kinesis:${server.region}:${home}:stream/${streamName}`;

async function createStream(prefix: string): Promise<string> {
  const StreamName = randomStreamName(prefix);
  await client(admin).send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
  return StreamName;
}

function implicitDeny(principalArn: string, action: string, resource: string, kind = "identity-based"): string {
  return `User: ${principalArn} is not authorized to perform: kinesis:${action} on resource: ${resource} because no ${kind} policy allows the kinesis:${action} action`;
}

function explicitDeny(principalArn: string, action: string, resource: string, kind: "identity-based" | "resource-based"): string {
  return `User: ${principalArn} is not authorized to perform: kinesis:${action} on resource: ${resource} with an explicit deny in ${kind === "identity-based" ? "an" : "a"} ${kind} policy`;
}

/** The exact refusal in both wire formats, and the SDK's AccessDeniedException. */
async function assertDenied(as: TestCredentials, action: string, body: Record<string, unknown>, message: string): Promise<void> {
  for (const format of ["json", "cbor"] as Format[]) {
    // Blobs travel as base64 text in JSON and as bytes in CBOR.
    const encoded = Object.fromEntries(Object.entries(body).map(([key, value]) => [key, value instanceof Buffer && format === "json" ? value.toString("base64") : value]));
    const response = await signedCall(server.url, action, encoded, { credentials: as, signingDate: new Date(), format });
    assert.equal(response.statusCode, 400, `${format} status`);
    assert.deepEqual(response.body, { __type: "AccessDeniedException", message }, `${format} body`);
  }
}

async function firstIterator(as: TestCredentials, StreamARN: string): Promise<string> {
  const output = await client(as).send(new GetShardIteratorCommand({ StreamARN, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }));
  return output.ShardIterator!;
}

before(async () => {
  credentials = new CredentialsDir();
  credentials.write([
    { ...admin, accountId: home, principalArn: `arn:aws:iam::${home}:user/admin`, policies: [allowAll] },
    { ...reader, accountId: home, principalArn: readerArn, policies: readerPolicies },
    { ...partner, accountId: partnerAccount, principalArn: partnerArn, policies: partnerPolicies },
  ]);
  server = await startTestServer({ credentialsFile: credentials.path });
});

after(async () => {
  for (const made of clients) made.destroy();
  await server?.stop();
  credentials?.remove();
});

describe("auth > authorization > identity policies", () => {
  it("lets a principal do what its policies allow", async () => {
    const StreamName = await createStream("orders");
    await client(admin).send(new PutRecordCommand({ StreamName, PartitionKey: "a", Data: Buffer.from("one") }));
    const summary = await client(reader).send(new DescribeStreamSummaryCommand({ StreamName }));
    assert.equal(summary.StreamDescriptionSummary?.StreamName, StreamName);
    const records = await client(reader).send(new GetRecordsCommand({ ShardIterator: await firstIterator(reader, arnOf(StreamName)) }));
    assert.deepEqual(records.Records?.map((record) => Buffer.from(record.Data!).toString()), ["one"]);
  });

  it("refuses an action no policy allows", async () => {
    const StreamName = await createStream("orders");
    await assertDenied(reader, "PutRecord", { StreamName, PartitionKey: "a", Data: Buffer.from("x") }, implicitDeny(readerArn, "PutRecord", arnOf(StreamName)));
    await assert.rejects(client(reader).send(new PutRecordCommand({ StreamName, PartitionKey: "a", Data: Buffer.from("x") })), (error: any) => {
      assert.equal(error.name, "AccessDeniedException");
      assert.equal(error.message, implicitDeny(readerArn, "PutRecord", arnOf(StreamName)));
      assert.equal(error.$metadata.httpStatusCode, 400);
      return true;
    });
  });

  it("refuses a resource no policy covers", async () => {
    const StreamName = await createStream("other");
    // DescribeStream is allowed on orders-* only.
    await assertDenied(reader, "DescribeStream", { StreamName }, implicitDeny(readerArn, "DescribeStream", arnOf(StreamName)));
  });

  it("refuses an account-wide action on the account's resource", async () => {
    await assertDenied(reader, "ListStreams", {}, implicitDeny(readerArn, "ListStreams", `arn:aws:kinesis:${server.region}:${home}:*`));
  });

  it("an explicit Deny wins over an Allow, for the stream a shard iterator reads", async () => {
    const StreamName = await createStream("secret");
    const iterator = await firstIterator(reader, arnOf(StreamName));
    await assertDenied(reader, "GetRecords", { ShardIterator: iterator }, explicitDeny(readerArn, "GetRecords", arnOf(StreamName), "identity-based"));
  });

  it("checks a consumer action on the consumer", async () => {
    const StreamName = await createStream("orders");
    const registered = await client(admin).send(new RegisterStreamConsumerCommand({ StreamARN: arnOf(StreamName), ConsumerName: "reader" }));
    const consumerArn = registered.Consumer!.ConsumerARN!;
    await assertDenied(reader, "DescribeStreamConsumer", { ConsumerARN: consumerArn }, implicitDeny(readerArn, "DescribeStreamConsumer", consumerArn));
    // Named by stream and consumer name, the consumer is found and checked all the same.
    await assertDenied(reader, "DescribeStreamConsumer", { StreamARN: arnOf(StreamName), ConsumerName: "reader" }, implicitDeny(readerArn, "DescribeStreamConsumer", consumerArn));
  });
});

describe("auth > authorization > resource policies", () => {
  const sharedPolicy = (streamArn: string, effect = "Allow", principal: unknown = { AWS: partnerAccount }) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "share", Effect: effect, Principal: principal, Action: ["kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords"], Resource: streamArn }],
    });

  it("let another account read a stream both its policies and the stream's allow", async () => {
    const StreamName = await createStream("shared");
    const StreamARN = arnOf(StreamName);
    await client(admin).send(new PutRecordCommand({ StreamName, PartitionKey: "a", Data: Buffer.from("shared") }));
    await client(admin).send(new PutResourcePolicyCommand({ ResourceARN: StreamARN, Policy: sharedPolicy(StreamARN) }));
    const summary = await client(partner).send(new DescribeStreamSummaryCommand({ StreamARN }));
    assert.equal(summary.StreamDescriptionSummary?.StreamARN, StreamARN);
    const records = await client(partner).send(new GetRecordsCommand({ ShardIterator: await firstIterator(partner, StreamARN), StreamARN }));
    assert.deepEqual(records.Records?.map((record) => Buffer.from(record.Data!).toString()), ["shared"]);
    // The stream's policy shares reads only: writing needs it to allow PutRecord too.
    await assertDenied(partner, "PutRecord", { StreamARN, PartitionKey: "a", Data: Buffer.from("x") }, implicitDeny(partnerArn, "PutRecord", StreamARN, "resource-based"));
  });

  it("refuse another account a stream whose policy does not name it", async () => {
    const StreamName = await createStream("private");
    const StreamARN = arnOf(StreamName);
    await assertDenied(partner, "DescribeStreamSummary", { StreamARN }, implicitDeny(partnerArn, "DescribeStreamSummary", StreamARN, "resource-based"));
    await client(admin).send(new PutResourcePolicyCommand({ ResourceARN: StreamARN, Policy: sharedPolicy(StreamARN, "Allow", { AWS: "777788889999" }) }));
    await assertDenied(partner, "DescribeStreamSummary", { StreamARN }, implicitDeny(partnerArn, "DescribeStreamSummary", StreamARN, "resource-based"));
  });

  it("a Deny in the stream's policy wins over the caller's own Allow", async () => {
    const StreamName = await createStream("orders");
    const StreamARN = arnOf(StreamName);
    await client(admin).send(new PutResourcePolicyCommand({ ResourceARN: StreamARN, Policy: sharedPolicy(StreamARN, "Deny", { AWS: readerArn }) }));
    await assertDenied(reader, "DescribeStreamSummary", { StreamName }, explicitDeny(readerArn, "DescribeStreamSummary", StreamARN, "resource-based"));
    // The Deny names the reader only: the admin still reads.
    await client(admin).send(new DescribeStreamSummaryCommand({ StreamName }));
  });

  it("a changed policy takes effect at once", async () => {
    const StreamName = await createStream("shared");
    const StreamARN = arnOf(StreamName);
    await client(admin).send(new PutResourcePolicyCommand({ ResourceARN: StreamARN, Policy: sharedPolicy(StreamARN) }));
    await client(partner).send(new DescribeStreamSummaryCommand({ StreamARN }));
    await client(admin).send(new PutResourcePolicyCommand({ ResourceARN: StreamARN, Policy: sharedPolicy(StreamARN, "Allow", { AWS: "777788889999" }) }));
    await assertDenied(partner, "DescribeStreamSummary", { StreamARN }, implicitDeny(partnerArn, "DescribeStreamSummary", StreamARN, "resource-based"));
  });

  it("let another account describe a consumer whose own policy allows it", async () => {
    const StreamName = await createStream("shared");
    const registered = await client(admin).send(new RegisterStreamConsumerCommand({ StreamARN: arnOf(StreamName), ConsumerName: "partner" }));
    const ConsumerARN = registered.Consumer!.ConsumerARN!;
    await assertDenied(partner, "DescribeStreamConsumer", { ConsumerARN }, implicitDeny(partnerArn, "DescribeStreamConsumer", ConsumerARN, "resource-based"));
    // The stream's policy does not cover its consumers: each has its own.
    await client(admin).send(new PutResourcePolicyCommand({ ResourceARN: arnOf(StreamName), Policy: sharedPolicy(arnOf(StreamName)) }));
    await assertDenied(partner, "DescribeStreamConsumer", { ConsumerARN }, implicitDeny(partnerArn, "DescribeStreamConsumer", ConsumerARN, "resource-based"));
    const consumerPolicy = JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Principal: { AWS: partnerAccount }, Action: "kinesis:DescribeStreamConsumer", Resource: ConsumerARN } });
    await client(admin).send(new PutResourcePolicyCommand({ ResourceARN: ConsumerARN, Policy: consumerPolicy }));
    const described = await client(partner).send(new DescribeStreamConsumerCommand({ ConsumerARN }));
    assert.equal(described.ConsumerDescription?.ConsumerName, "partner");
  });

  it("PutResourcePolicy refuses a document that is not a valid IAM resource policy", async () => {
    const StreamName = await createStream("orders");
    const StreamARN = arnOf(StreamName);
    const cases: [unknown, string][] = [
      [{ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "kinesis:GetRecords", Resource: StreamARN } }, "statement 1: missing required field Principal or NotPrincipal"],
      [{ Version: "2012-10-17", Statement: { Effect: "Permit", Principal: "*", Action: "kinesis:GetRecords" } }, "statement 1: Effect must be Allow or Deny"],
      [{ Version: "2012-10-17", Statement: { Effect: "Allow", Principal: { AWS: "someone" }, Action: "kinesis:GetRecords" } }, "statement 1: invalid principal in Principal: someone"],
    ];
    for (const [document, detail] of cases) {
      for (const format of ["json", "cbor"] as Format[]) {
        const response = await signedCall(server.url, "PutResourcePolicy", { ResourceARN: StreamARN, Policy: JSON.stringify(document) }, { credentials: admin, signingDate: new Date(), format });
        assert.equal(response.statusCode, 400);
        assert.deepEqual(response.body, { __type: "InvalidArgumentException", message: `Invalid policy document: ${detail}.` });
      }
    }
  });
});

describe("auth > authorization > restart", () => {
  it("a stream's policy still grants after the server restarts on its data directory", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tributary-authz-"));
    const sdk: KinesisClient[] = [];
    try {
      let restarted = await startTestServer({ credentialsFile: credentials.path, dataDir });
      const StreamName = randomStreamName("durable");
      const StreamARN = `arn:aws:kinesis:${restarted.region}:${home}:stream/${StreamName}`;
      const asAdmin = kinesisClient(restarted, admin);
      sdk.push(asAdmin);
      await asAdmin.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
      const policy = JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Principal: { AWS: partnerAccount }, Action: "kinesis:DescribeStreamSummary", Resource: StreamARN } });
      await asAdmin.send(new PutResourcePolicyCommand({ ResourceARN: StreamARN, Policy: policy }));
      await restarted.stop();
      restarted = await startTestServer({ credentialsFile: credentials.path, dataDir });
      try {
        const asPartner = kinesisClient(restarted, partner);
        sdk.push(asPartner);
        const summary = await asPartner.send(new DescribeStreamSummaryCommand({ StreamARN }));
        assert.equal(summary.StreamDescriptionSummary?.StreamName, StreamName);
      } finally {
        await restarted.stop();
      }
    } finally {
      for (const made of sdk) made.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("auth > authorization > Kinesis actions", () => {
  const streamArn = `arn:aws:kinesis:us-east-1:${home}:stream/orders`;
  const consumerArn = `${streamArn}/consumer/reader:1700000000`;
  const locator: ResourceLocator = {
    streamArn: ({ StreamName, StreamARN }) => StreamARN ?? (StreamName === undefined ? undefined : `arn:aws:kinesis:us-east-1:${home}:stream/${StreamName}`),
    iteratorStreamArn: (iterator) => (iterator === "iterator-of-orders" ? streamArn : undefined),
    pageTokenStreamArn: (token) => (token === "token-of-orders" ? streamArn : undefined),
    consumerArn: ({ ConsumerARN, StreamARN, ConsumerName }) => ConsumerARN ?? (StreamARN === streamArn && ConsumerName === "reader" ? consumerArn : undefined),
  };

  it("covers every action the server implements, as kinesis:<Action>", () => {
    assert.deepEqual(Object.keys(kinesisActions).sort(), Object.keys(streamsActions).sort());
    for (const [name, action] of Object.entries(kinesisActions)) assert.equal(action.iamAction, `kinesis:${name}`);
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    ["PutRecords", { StreamName: "orders", Records: [] }, [streamArn]],
    ["PutRecord", { StreamARN: streamArn }, [streamArn]],
    ["CreateStream", { StreamName: "orders" }, [streamArn]],
    ["DescribeStreamSummary", {}, []],
    ["GetRecords", { ShardIterator: "iterator-of-orders" }, [streamArn]],
    ["GetRecords", { ShardIterator: "not ours" }, []],
    ["ListShards", { NextToken: "token-of-orders" }, [streamArn]],
    ["ListShards", { StreamName: "orders" }, [streamArn]],
    ["ListStreams", {}, ["*"]],
    ["DescribeLimits", {}, ["*"]],
    ["UpdateAccountSettings", {}, ["*"]],
    ["RegisterStreamConsumer", { StreamARN: streamArn, ConsumerName: "reader" }, [streamArn]],
    ["SubscribeToShard", { ConsumerARN: consumerArn }, [consumerArn]],
    ["DescribeStreamConsumer", { StreamARN: streamArn, ConsumerName: "reader" }, [consumerArn]],
    ["DeregisterStreamConsumer", { StreamARN: streamArn, ConsumerName: "unknown" }, [streamArn]],
    ["TagResource", { ResourceARN: consumerArn }, [consumerArn]],
    ["PutResourcePolicy", { ResourceARN: streamArn }, [streamArn]],
  ];
  for (const [name, input, expected] of cases) {
    it(`${name} ${JSON.stringify(input)} touches ${expected.length === 0 ? "nothing it can find" : expected.join(", ")}`, () => {
      assert.deepEqual(kinesisActions[name]!.resources(input, locator), expected);
    });
  }
});
