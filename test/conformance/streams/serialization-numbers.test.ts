/**
 * Numbers for Integer members, as AWS's Coral reads them: JSON numbers are
 * `TruncatingBigNumber`s — the fraction is dropped toward zero, and a value outside Java's int
 * range becomes the range's bound (kinesalite records AWS answering ShardCount 100000000000 with
 * `Value '2147483647'`). So `ShardCount: 1.5` makes one shard, `Limit: 2.5` returns two records,
 * and `1e309` (Infinity to a JavaScript parser) is 2147483647, never "Infinity". Through raw JSON
 * and CBOR (floats, 64-bit integers, CBOR's own Infinity; NaN, which no big number holds, is a
 * SerializationException) and through the AWS SDK.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { encode, Token, Type } from "cborg";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { cborCall, jsonCall, rawRequest, type RawResponse } from "../../helpers/raw.js";
import { sleep } from "../../helpers/wait.js";

const json = "application/x-amz-json-1.1";
const cbor = "application/x-amz-cbor-1.1";

/** A raw JSON body, so numbers go out exactly as written (`1e309`, `100000000000`). */
function jsonText(server: TestServer, action: string, text: string): Promise<RawResponse> {
  return rawRequest(server.url, text, { contentType: json, target: `Kinesis_20131202.${action}` });
}

/** A CBOR body with one member given as raw tokens (a float64, a uint64, a half-float Infinity). */
function cborWith(server: TestServer, action: string, base: Record<string, unknown>, member: string, tokens: Token[]): Promise<RawResponse> {
  const head = Buffer.from(encode({ ...base }));
  // Rewrite the map's head for one more pair, then append the key and the raw value.
  const count = Object.keys(base).length + 1;
  const body = Buffer.concat([Buffer.from([0xa0 + count]), head.subarray(1), Buffer.from(encode(member)), ...tokens.map(tokenBytes)]);
  return rawRequest(server.url, body, { contentType: cbor, target: `Kinesis_20131202.${action}` });
}

function tokenBytes(token: Token): Buffer {
  if (token.type === Type.float) {
    const bytes = Buffer.alloc(9);
    bytes[0] = 0xfb;
    bytes.writeDoubleBE(token.value as number, 1);
    return bytes;
  }
  const bytes = Buffer.alloc(9);
  bytes[0] = 0x1b; // uint64
  bytes.writeBigUInt64BE(BigInt(token.value as number | bigint), 1);
  return bytes;
}

const float64 = (value: number) => [new Token(Type.float, value)];
const uint64 = (value: bigint) => [new Token(Type.uint, value)];

function assertValidation(response: RawResponse, message: string): void {
  assert.equal(response.statusCode, 400, response.raw.toString());
  assert.deepEqual(response.body, { __type: "ValidationException", message });
}

const limitTooLarge = "1 validation error detected: Value '2147483647' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000";
const limitTooSmall = (value: string) => `1 validation error detected: Value '${value}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`;

describe("serialization > numbers", () => {
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

  async function openShards(name: string): Promise<number | undefined> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      if (summary.StreamDescriptionSummary?.StreamStatus === "ACTIVE") return summary.StreamDescriptionSummary.OpenShardCount;
      await sleep(50);
    }
    return undefined;
  }

  it("serialization > numbers > a fractional ShardCount is truncated toward zero (JSON, CBOR, SDK)", async () => {
    const viaJson = randomStreamName("frac");
    assert.equal((await jsonText(server, "CreateStream", `{"StreamName":"${viaJson}","ShardCount":2.9}`)).statusCode, 200);
    assert.equal(await openShards(viaJson), 2);
    const viaCbor = randomStreamName("frac");
    assert.equal((await cborWith(server, "CreateStream", { StreamName: viaCbor }, "ShardCount", float64(1.5))).statusCode, 200);
    assert.equal(await openShards(viaCbor), 1);
    const viaSdk = randomStreamName("frac");
    await client.send(new CreateStreamCommand({ StreamName: viaSdk, ShardCount: 1.5 }));
    assert.equal(await openShards(viaSdk), 1);
  });

  it("serialization > numbers > toward zero, not down: 0.5 and -0.5 are 0, -1.5 is -1", async () => {
    for (const value of ["0.5", "-0.5", "0.9999"]) {
      assertValidation(await jsonText(server, "ListStreams", `{"Limit":${value}}`), limitTooSmall("0"));
    }
    assertValidation(await jsonText(server, "ListStreams", '{"Limit":-1.5}'), limitTooSmall("-1"));
    assertValidation(await cborCall(server.url, "ListStreams", { Limit: -1.5 }), limitTooSmall("-1"));
    assertValidation(await cborCall(server.url, "ListStreams", { Limit: 0.5 }), limitTooSmall("0"));
  });

  it("serialization > numbers > past Java's int range a number is its bound: 100000000000, 1e309 (JSON) and 2^40, Infinity (CBOR)", async () => {
    for (const value of ["100000000000", "1e309", "2147483648", "9.9e20"]) {
      assertValidation(await jsonText(server, "ListStreams", `{"Limit":${value}}`), limitTooLarge);
    }
    for (const value of ["-1e309", "-2147483649"]) {
      assertValidation(await jsonText(server, "ListStreams", `{"Limit":${value}}`), limitTooSmall("-2147483648"));
    }
    assertValidation(await cborWith(server, "ListStreams", {}, "Limit", uint64(2n ** 40n)), limitTooLarge);
    assertValidation(await cborWith(server, "ListStreams", {}, "Limit", float64(Infinity)), limitTooLarge);
    assertValidation(await cborWith(server, "ListStreams", {}, "Limit", float64(-Infinity)), limitTooSmall("-2147483648"));
  });

  it("serialization > numbers > ShardCount 1e309 asks for 2147483647 shards, never 'Infinity'", async () => {
    for (const response of [
      await jsonText(server, "CreateStream", `{"StreamName":"${randomStreamName("huge")}","ShardCount":1e309}`),
      await cborWith(server, "CreateStream", { StreamName: randomStreamName("huge") }, "ShardCount", float64(Infinity)),
    ]) {
      assert.equal(response.statusCode, 400);
      assert.equal(response.body.__type, "LimitExceededException");
      assert.match(response.body.message, /Number of additional shards that would have resulted from this request: 2147483647\. /);
      assert.doesNotMatch(response.raw.toString("latin1"), /Infinity/);
    }
  });

  it("serialization > numbers > a CBOR NaN is a SerializationException", async () => {
    const response = await cborWith(server, "ListStreams", {}, "Limit", float64(NaN));
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.body, { __type: "SerializationException" });
  });

  it("serialization > numbers > GetRecords with Limit 2.5 returns two records (JSON and CBOR)", async () => {
    const name = randomStreamName("limit");
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    assert.equal(await openShards(name), 1);
    for (let i = 0; i < 3; i++) {
      const put = await jsonCall(server.url, "PutRecord", { StreamName: name, PartitionKey: "a", Data: Buffer.from(`r${i}`).toString("base64") });
      assert.equal(put.statusCode, 200, put.raw.toString());
    }
    for (const call of [jsonCall, cborCall]) {
      const iterator = await call(server.url, "GetShardIterator", { StreamName: name, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
      assert.equal(iterator.statusCode, 200, iterator.raw.toString());
      const records = await call(server.url, "GetRecords", { ShardIterator: iterator.body.ShardIterator, Limit: 2.5 });
      assert.equal(records.statusCode, 200, records.raw.toString());
      assert.equal(records.body.Records.length, 2);
    }
  });
});
