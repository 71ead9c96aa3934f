/**
 * How a PutRecords validation message prints the entries of a list that breaks its length bound:
 * each as Java's Object#toString of AWS's model class,
 * `com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@<hashCode in hex>`. kinesalite records
 * AWS printing `…PutRecordsRequestEntry@c965e310` for `{PartitionKey: "", Data: ""}`
 * (test/putRecords.js); the hash code of AWS's generated classes — Arrays.hashCode over the
 * class name's hash and the members in name order, the blob hashed as a ByteBuffer — gives that
 * value exactly, and the entries with content here are checked against the same rule, computed
 * below with BigInt arithmetic independently of the server's. Through raw JSON and CBOR and the SDK.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestServer } from "../../helpers/server.js";
import { cborCall, jsonCall } from "../../helpers/raw.js";

const className = "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry";
const recordedEmptyEntry = `${className}@c965e310`;

const int32 = (value: bigint) => BigInt.asIntN(32, value);

function stringHash(text: string): bigint {
  let hash = 0n;
  for (let i = 0; i < text.length; i++) hash = int32(31n * hash + BigInt(text.charCodeAt(i)));
  return hash;
}

/** java.nio.ByteBuffer#hashCode: from the last byte to the first, signed. */
function byteBufferHash(bytes: Buffer): bigint {
  let hash = 1n;
  for (let i = bytes.length - 1; i >= 0; i--) hash = int32(31n * hash + BigInt(bytes.readInt8(i)));
  return hash;
}

function arraysHash(values: readonly bigint[]): bigint {
  let hash = 1n;
  for (const value of values) hash = int32(31n * hash + value);
  return hash;
}

function entryText(partitionKey: string, data: Buffer, explicitHashKey?: string): string {
  const hash = arraysHash([arraysHash([stringHash(className)]), byteBufferHash(data), explicitHashKey === undefined ? 0n : stringHash(explicitHashKey), stringHash(partitionKey)]);
  return `${className}@${BigInt.asUintN(32, hash).toString(16)}`;
}

describe("serialization > PutRecords entry text", () => {
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

  it("serialization > entry text > the rule reproduces AWS's recorded value for an empty entry", () => {
    assert.equal(entryText("", Buffer.alloc(0)), recordedEmptyEntry);
  });

  const entries = Array.from({ length: 501 }, (_, i) =>
    i % 3 === 0 ? { PartitionKey: "", Data: Buffer.alloc(0) } : i % 3 === 1 ? { PartitionKey: `key-${i}`, Data: Buffer.from([i & 0xff, 0x80, 0x7f]) } : { PartitionKey: "p", Data: Buffer.from("hello"), ExplicitHashKey: String(i) },
  );
  const listText = `[${entries.map((entry) => entryText(entry.PartitionKey, entry.Data, entry.ExplicitHashKey)).join(", ")}]`;
  const expected =
    "10 validation errors detected: " +
    `Value '${listText}' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500; ` +
    [1, 4, 7, 10, 13, 16, 19, 22, 25]
      .map((index) => `Value '' at 'records.${index}.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1`)
      .join("; ");

  it("serialization > entry text > 501 entries, each printed by its hash code, in JSON and CBOR", async () => {
    assert.ok(listText.startsWith(`[${recordedEmptyEntry}, `));
    const jsonEntries = entries.map((entry) => ({ ...entry, Data: entry.Data.toString("base64") }));
    for (const response of [await jsonCall(server.url, "PutRecords", { StreamName: "entries", Records: jsonEntries }), await cborCall(server.url, "PutRecords", { StreamName: "entries", Records: entries })]) {
      assert.equal(response.statusCode, 400);
      assert.deepEqual(response.body, { __type: "ValidationException", message: expected });
    }
  });

  it("serialization > entry text > the same message through the SDK", async () => {
    const error = await client.send(new PutRecordsCommand({ StreamName: "entries", Records: entries })).then(
      () => assert.fail("expected a ValidationException"),
      (caught: Error) => caught,
    );
    assert.equal(error.name, "ValidationException");
    assert.equal(error.message, expected);
  });
});
