/**
 * Account isolation through a server in `--auth sigv4` mode, with the AWS SDK: two accounts each
 * create a stream named "orders", and each writes, reads, lists and counts only its own; ARNs and
 * messages carry the caller's account; quotas and call rates are counted per account; a
 * cross-account read granted by the owner's resource policy reads the owner's stream, and one
 * without a grant is refused. The server's own account (000000000000) is neither of them.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand, DescribeAccountSettingsCommand, DescribeLimitsCommand, UpdateAccountSettingsCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient,
  ListShardsCommand, ListStreamsCommand, PutRecordCommand, PutResourcePolicyCommand,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestCredentials, type TestServer } from "../helpers/server.js";
import { CredentialsDir, credentialsEntry } from "./sigv4-helpers.js";
import { ManualClock } from "../../src/util/clock.js";

const accountA = "111122223333";
const accountB = "444455556666";
const accountC = "777788889999";
const alice: TestCredentials = { accessKeyId: "AKIAALICEEXAMPLE0001", secretAccessKey: "alice/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const bob: TestCredentials = { accessKeyId: "AKIABOBEXAMPLE000001", secretAccessKey: "bob/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const carol: TestCredentials = { accessKeyId: "AKIACAROLEXAMPLE0001", secretAccessKey: "carol/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const aliceArn = `arn:aws:iam::${accountA}:user/alice`;
const carolArn = `arn:aws:iam::${accountC}:user/carol`;
/** Per account; small enough to reach. */
const shardLimit = 4;

let credentials: CredentialsDir;
let server: TestServer;
const clock = new ManualClock(Date.now());
const clients: KinesisClient[] = [];

function client(as: TestCredentials): KinesisClient {
  const made = kinesisClient(server, as);
  clients.push(made);
  return made;
}

const arnOf = (accountId: string, streamName: string) => `arn:aws:kinesis:${server.region}:${accountId}:stream/${streamName}`;

/** Past every per-second call rate, so each step starts with full buckets. */
const nextSecond = () => clock.advance(1_100);

async function readAll(as: TestCredentials, reference: { StreamName?: string; StreamARN?: string }): Promise<string[]> {
  const kinesis = client(as);
  const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ ...reference, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }));
  const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  return (Records ?? []).map((record) => Buffer.from(record.Data!).toString("utf8"));
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  assert.fail("expected the call to be refused");
}

before(async () => {
  credentials = new CredentialsDir();
  credentials.write([credentialsEntry("alice", alice, accountA), credentialsEntry("bob", bob, accountB), credentialsEntry("carol", carol, accountC)]);
  server = await startTestServer({ clock, limits: "aws", credentialsFile: credentials.path, streams: { shardLimit } });
  await client(alice).send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 1 }));
  await client(bob).send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 1 }));
  await client(alice).send(new PutRecordCommand({ StreamName: "orders", PartitionKey: "k", Data: Buffer.from("from-a") }));
  await client(bob).send(new PutRecordCommand({ StreamName: "orders", PartitionKey: "k", Data: Buffer.from("from-b") }));
});

after(async () => {
  for (const made of clients) made.destroy();
  await server.stop();
  credentials.remove();
});

describe("auth > accounts", () => {
  it("auth > accounts > each account has its own stream of one name, and reads only its own records", async () => {
    nextSecond();
    assert.deepEqual(await readAll(alice, { StreamName: "orders" }), ["from-a"]);
    assert.deepEqual(await readAll(bob, { StreamName: "orders" }), ["from-b"]);
    const refused = await rejection(client(alice).send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 1 })));
    assert.deepEqual(refused, { name: "ResourceInUseException", message: `Stream orders under account ${accountA} already exists.` });
  });

  it("auth > accounts > ARNs carry the caller's account", async () => {
    nextSecond();
    const mine = await client(alice).send(new DescribeStreamSummaryCommand({ StreamName: "orders" }));
    const theirs = await client(bob).send(new DescribeStreamSummaryCommand({ StreamName: "orders" }));
    assert.equal(mine.StreamDescriptionSummary?.StreamARN, arnOf(accountA, "orders"));
    assert.equal(theirs.StreamDescriptionSummary?.StreamARN, arnOf(accountB, "orders"));
  });

  it("auth > accounts > lists only the caller's streams", async () => {
    nextSecond();
    await client(alice).send(new CreateStreamCommand({ StreamName: "only-in-a", ShardCount: 1 }));
    const listedA = await client(alice).send(new ListStreamsCommand({}));
    const listedB = await client(bob).send(new ListStreamsCommand({}));
    const listedC = await client(carol).send(new ListStreamsCommand({}));
    assert.deepEqual(listedA.StreamNames, ["only-in-a", "orders"]);
    assert.deepEqual(listedA.StreamSummaries?.map((summary) => summary.StreamARN), [arnOf(accountA, "only-in-a"), arnOf(accountA, "orders")]);
    assert.deepEqual(listedB.StreamNames, ["orders"]);
    assert.deepEqual(listedB.StreamSummaries?.map((summary) => summary.StreamARN), [arnOf(accountB, "orders")]);
    assert.deepEqual(listedC.StreamNames, []);
  });

  it("auth > accounts > another account's stream name is not found, in the caller's account", async () => {
    nextSecond();
    const refused = await rejection(client(bob).send(new DescribeStreamSummaryCommand({ StreamName: "only-in-a" })));
    assert.deepEqual(refused, { name: "ResourceNotFoundException", message: `Stream only-in-a under account ${accountB} not found.` });
  });

  it("auth > accounts > a ListStreams NextToken pages only through the account it was issued to", async () => {
    nextSecond();
    const first = await client(alice).send(new ListStreamsCommand({ Limit: 1 }));
    assert.equal(first.HasMoreStreams, true);
    const second = await client(alice).send(new ListStreamsCommand({ NextToken: first.NextToken }));
    assert.deepEqual(second.StreamNames, ["orders"]);
    const refused = await rejection(client(bob).send(new ListStreamsCommand({ NextToken: first.NextToken })));
    assert.equal(refused.name, "InvalidArgumentException");
  });

  it("auth > accounts > the shard quota counts per account", async () => {
    nextSecond();
    // Each account holds "orders" (1 shard); alice also "only-in-a" (1 shard).
    await client(bob).send(new CreateStreamCommand({ StreamName: "big", ShardCount: 3 }));
    const refused = await rejection(client(alice).send(new CreateStreamCommand({ StreamName: "big", ShardCount: 3 })));
    assert.equal(refused.name, "LimitExceededException");
    assert.match(refused.message, new RegExp(`^This request would exceed the shard limit for the account ${accountA} in us-east-1\\. Current shard count for the account: 2\\. Limit: ${shardLimit}\\. Number of additional shards that would have resulted from this request: 3\\.`));
    await client(alice).send(new CreateStreamCommand({ StreamName: "big", ShardCount: 2 }));
    const limitsA = await client(alice).send(new DescribeLimitsCommand({}));
    const limitsB = await client(bob).send(new DescribeLimitsCommand({}));
    const limitsC = await client(carol).send(new DescribeLimitsCommand({}));
    assert.deepEqual([limitsA.OpenShardCount, limitsB.OpenShardCount, limitsC.OpenShardCount], [4, 4, 0]);
    assert.equal(limitsA.ShardLimit, shardLimit);
  });

  it("auth > accounts > control-plane call rates are counted per account", async () => {
    nextSecond();
    // DescribeLimits: one call a second per account.
    await client(alice).send(new DescribeLimitsCommand({}));
    const refused = await rejection(client(alice).send(new DescribeLimitsCommand({})));
    assert.deepEqual(refused, { name: "LimitExceededException", message: `Rate exceeded for account ${accountA}.` });
    const other = await client(bob).send(new DescribeLimitsCommand({}));
    assert.equal(other.ShardLimit, shardLimit);
  });

  it("auth > accounts > account settings are each account's own", async () => {
    nextSecond();
    await client(alice).send(new UpdateAccountSettingsCommand({ MinimumThroughputBillingCommitment: { Status: "ENABLED" } }));
    const mine = await client(alice).send(new DescribeAccountSettingsCommand({}));
    const theirs = await client(bob).send(new DescribeAccountSettingsCommand({}));
    assert.equal(mine.MinimumThroughputBillingCommitment?.Status, "ENABLED");
    assert.equal(theirs.MinimumThroughputBillingCommitment?.Status, "DISABLED");
  });

  it("auth > accounts > another account's StreamARN is refused without a grant", async () => {
    nextSecond();
    const refused = await rejection(client(alice).send(new DescribeStreamSummaryCommand({ StreamARN: arnOf(accountB, "orders") })));
    assert.deepEqual(refused, {
      name: "AccessDeniedException",
      message: `User: ${aliceArn} is not authorized to perform: kinesis:DescribeStreamSummary on resource: ${arnOf(accountB, "orders")} because no resource-based policy allows the kinesis:DescribeStreamSummary action`,
    });
    // A ListShards NextToken names its stream's account: bob's token is bob's stream to alice.
    const page = await client(bob).send(new ListShardsCommand({ StreamName: "big", MaxResults: 1 }));
    assert.ok(page.NextToken);
    const paged = await rejection(client(alice).send(new ListShardsCommand({ NextToken: page.NextToken })));
    assert.deepEqual(paged, {
      name: "AccessDeniedException",
      message: `User: ${aliceArn} is not authorized to perform: kinesis:ListShards on resource: ${arnOf(accountB, "big")} because no resource-based policy allows the kinesis:ListShards action`,
    });
  });

  it("auth > accounts > a cross-account read granted by the owner's resource policy reads the owner's stream", async () => {
    nextSecond();
    const streamArn = arnOf(accountB, "orders");
    const policy = {
      Version: "2012-10-17",
      Statement: [{
        Effect: "Allow",
        Principal: { AWS: aliceArn },
        Action: ["kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"],
        Resource: streamArn,
      }],
    };
    await client(bob).send(new PutResourcePolicyCommand({ ResourceARN: streamArn, Policy: JSON.stringify(policy) }));
    const summary = await client(alice).send(new DescribeStreamSummaryCommand({ StreamARN: streamArn }));
    assert.equal(summary.StreamDescriptionSummary?.StreamARN, streamArn);
    assert.deepEqual(await readAll(alice, { StreamARN: streamArn }), ["from-b"]);
    const listed = await client(alice).send(new ListShardsCommand({ StreamARN: streamArn }));
    assert.deepEqual(listed.Shards?.map((shard) => shard.ShardId), ["shardId-000000000000"]);
    // Alice's own stream of the same name is untouched.
    assert.deepEqual(await readAll(alice, { StreamName: "orders" }), ["from-a"]);
    // Not granted: carol's account, even with alice's iterator of bob's stream.
    const { ShardIterator } = await client(alice).send(new GetShardIteratorCommand({ StreamARN: streamArn, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }));
    const refused = await rejection(client(carol).send(new GetRecordsCommand({ ShardIterator })));
    assert.deepEqual(refused, {
      name: "AccessDeniedException",
      message: `User: ${carolArn} is not authorized to perform: kinesis:GetRecords on resource: ${streamArn} because no resource-based policy allows the kinesis:GetRecords action`,
    });
    // The grant is for reads: alice may not write to bob's stream.
    const write = await rejection(client(alice).send(new PutRecordCommand({ StreamARN: streamArn, PartitionKey: "k", Data: Buffer.from("intruder") })));
    assert.equal(write.name, "AccessDeniedException");
    assert.deepEqual(await readAll(bob, { StreamName: "orders" }), ["from-b"]);
  });
});
