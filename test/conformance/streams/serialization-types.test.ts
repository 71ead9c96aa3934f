/**
 * SerializationException for a member of the wrong type, as AWS answers it: the text under
 * `Message` (capital M — AWS's Coral deserializer writes it so; every other error keeps
 * `message`), in the words kinesalite's test/helpers.js assertType tables record against AWS for
 * each target type — every JSON number, integral or not, is a
 * `com.amazon.coral.value.json.numbers.TruncatingBigNumber`. Through raw JSON and CBOR (AWS's CBOR
 * wording is unrecorded: the same texts, under the same key), and through the AWS SDK, which
 * reads the text back from `Message`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateStreamCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { cborCall, jsonCall, type RawResponse } from "../../helpers/raw.js";

const number = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";
const listStart = "Start of list found where not expected";
const mapStart = "Start of structure or map found where not expected.";

type Case = readonly [value: unknown, message: string];

/** kinesalite's tables (test/helpers.js assertType), recorded against AWS. */
const tables: Record<string, readonly Case[]> = {
  String: [
    [true, "class java.lang.Boolean can not be converted to an String"],
    [23, `${number} can not be converted to an String`],
    [-2147483648, `${number} can not be converted to an String`],
    [2147483648, `${number} can not be converted to an String`],
    [34.56, `${number} can not be converted to an String`],
    [[], listStart],
    [{}, mapStart],
  ],
  Integer: [
    ["23", "class java.lang.String can not be converted to an Integer"],
    [true, "class java.lang.Boolean can not be converted to an Integer"],
    [[], listStart],
    [{}, mapStart],
  ],
  Boolean: [
    ["23", "'23' can not be converted to an Boolean"],
    [23, `${number} can not be converted to an Boolean`],
    [-2147483648, `${number} can not be converted to an Boolean`],
    [2147483648, `${number} can not be converted to an Boolean`],
    [[], listStart],
    [{}, mapStart],
  ],
  Blob: [
    [true, "class java.lang.Boolean can not be converted to a Blob"],
    [23, `${number} can not be converted to a Blob`],
    [-2147483648, `${number} can not be converted to a Blob`],
    [2147483648, `${number} can not be converted to a Blob`],
    [34.56, `${number} can not be converted to a Blob`],
    [[], listStart],
    [{}, mapStart],
  ],
  Timestamp: [
    ["23", "class java.lang.String can not be converted to milliseconds since epoch"],
    [true, "class java.lang.Boolean can not be converted to milliseconds since epoch"],
    [[], listStart],
    [{}, mapStart],
  ],
  List: [
    ["23", "Expected list or null"],
    [true, "Expected list or null"],
    [23, "Expected list or null"],
    [-2147483648, "Expected list or null"],
    [2147483648, "Expected list or null"],
    [34.56, "Expected list or null"],
    [{}, mapStart],
  ],
  Map: [
    ["23", "Expected map or null"],
    [true, "Expected map or null"],
    [23, "Expected map or null"],
    [-2147483648, "Expected map or null"],
    [2147483648, "Expected map or null"],
    [34.56, "Expected map or null"],
    [[], listStart],
  ],
  Structure: [
    ["23", "Expected null"],
    [true, "Expected null"],
    [23, "Expected null"],
    [-2147483648, "Expected null"],
    [2147483648, "Expected null"],
    [34.56, "Expected null"],
    [[], listStart],
  ],
};

/** The base64 texts, JSON only (CBOR carries blobs as byte strings). */
const base64Cases: readonly Case[] = [
  ["23456", "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"],
  ["=+/=", "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"],
  ["+/+=", "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"],
];

/** One member of each type: [type, action, member, the other members the request needs]. */
const members: readonly (readonly [string, string, string, Record<string, unknown>])[] = [
  ["String", "CreateStream", "StreamName", { ShardCount: 1 }],
  ["Integer", "CreateStream", "ShardCount", { StreamName: "typed" }],
  ["Boolean", "DeleteStream", "EnforceConsumerDeletion", { StreamName: "typed" }],
  ["Blob", "PutRecord", "Data", { StreamName: "typed", PartitionKey: "a" }],
  ["Timestamp", "GetShardIterator", "Timestamp", { StreamName: "typed", ShardId: "shardId-0", ShardIteratorType: "AT_TIMESTAMP" }],
  ["List", "PutRecords", "Records", { StreamName: "typed" }],
  ["Map", "AddTagsToStream", "Tags", { StreamName: "typed" }],
  ["Structure", "ListShards", "ShardFilter", { StreamName: "typed" }],
];

function assertSerialization(response: RawResponse, message: string, context: string): void {
  assert.equal(response.statusCode, 400, context);
  assert.deepEqual(response.body, { __type: "SerializationException", Message: message }, context);
  assert.equal(response.headers["x-amzn-errortype"], "SerializationException", context);
}

describe("serialization > wrong types", () => {
  let server: TestServer;
  let client: KinesisClient;
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  for (const [type, action, member, base] of members) {
    it(`serialization > wrong types > ${type} (${action} ${member}) > AWS's text under Message, in JSON and CBOR`, async () => {
      for (const [value, message] of tables[type]!) {
        const body = { ...base, [member]: value };
        assertSerialization(await jsonCall(server.url, action, body), message, `json ${JSON.stringify(value)}`);
        assertSerialization(await cborCall(server.url, action, body), message, `cbor ${JSON.stringify(value)}`);
      }
    });
  }

  it("serialization > wrong types > Blob > the base64 texts in JSON; a CBOR text string is not a blob", async () => {
    for (const [value, message] of base64Cases) {
      assertSerialization(await jsonCall(server.url, "PutRecord", { StreamName: "typed", PartitionKey: "a", Data: value }), message, String(value));
    }
    assertSerialization(
      await cborCall(server.url, "PutRecord", { StreamName: "typed", PartitionKey: "a", Data: "YWJj" }),
      "class java.lang.String can not be converted to a Blob",
      "cbor text",
    );
  });

  it("serialization > wrong types > only SerializationException uses Message: other errors keep message", async () => {
    const name = randomStreamName("typed");
    for (const call of [jsonCall, cborCall]) {
      const response = await call(server.url, "DescribeStreamSummary", { StreamName: name });
      assert.deepEqual(response.body, { __type: "ResourceNotFoundException", message: `Stream ${name} under account ${server.accountId} not found.` });
      const invalid = await call(server.url, "CreateStream", { StreamName: "", ShardCount: 1 });
      assert.equal(invalid.body.__type, "ValidationException");
      assert.equal(invalid.body.Message, undefined);
      assert.match(invalid.body.message, /^2 validation errors detected: /);
    }
  });

  it("serialization > wrong types > the SDK surfaces the text it reads from Message", async () => {
    const error = await client
      .send(new CreateStreamCommand({ StreamName: 23 as unknown as string, ShardCount: 1 }))
      .then(() => assert.fail("expected a SerializationException"), (caught: Error & { $metadata?: { httpStatusCode?: number } }) => caught);
    assert.equal(error.name, "SerializationException");
    assert.equal(error.message, `${number} can not be converted to an String`);
    assert.equal(error.$metadata?.httpStatusCode, 400);
  });
});
