import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { createRequire } from "node:module";
import {
  AggregateBuilder,
  aggregateRecords,
  decodeAggregatedRecordMessage,
  deaggregate,
  encodeAggregatedRecordMessage,
  frameAggregatedRecord,
  kinesisRecordBytesMax,
  kplMagic,
  recordSizeBytes,
  type UserRecordInput,
} from "../../src/client/index.js";
import { hashPartitionKey } from "../../src/core/hash-key.js";
import { SeededRandom } from "../../src/util/random.js";

/** The slice of aws-kinesis-agg (an independent KPL-format codec, on protobufjs) these tests drive. */
interface AwsKinesisAgg {
  RecordAggregator: new () => {
    addUserRecord(record: { partitionKey: string; explicitHashKey?: string; data: Buffer }): void;
    build(): { partitionKey: string; data: Buffer; ExplicitHashKey?: string };
  };
  deaggregateSync(
    record: { Data: Uint8Array; PartitionKey: string; SequenceNumber: string },
    computeChecksums: boolean,
    callback: (error: Error | null, records?: Array<{ PartitionKey: string; ExplicitPartitionKey?: string; SequenceNumber: string; SubSequenceNumber: number; Data: string }>) => void,
  ): void;
}
const awsKinesisAgg = createRequire(import.meta.url)("aws-kinesis-agg") as AwsKinesisAgg;

const sequenceNumber = "49590338271490256608559692538361571095921575989136588898";

function userRecords(count: number, random: SeededRandom, options: { explicitHashKeys?: boolean; keys?: number } = {}): UserRecordInput[] {
  return Array.from({ length: count }, (_, i) => ({
    PartitionKey: `key-${random.int(options.keys ?? 1_000_000)}-ü`,
    Data: random.bytes(random.int(200)),
    ...(options.explicitHashKeys && i % 3 === 0 && { ExplicitHashKey: hashKey(random) }),
  }));
}

/**
 * A random 128-bit hash key in decimal. Real hash keys are this large; aws-kinesis-agg builds its
 * key tables with Object.keys, which puts keys that look like array indexes (below 2^32 − 1) first
 * in numeric order, so small decimal keys come out of its aggregates attached to the wrong records.
 */
function hashKey(random: SeededRandom): string {
  return BigInt("0x" + random.bytes(16).toString("hex")).toString();
}

function asKinesisRecord(entry: { PartitionKey: string; Data: Uint8Array }) {
  return { SequenceNumber: sequenceNumber, PartitionKey: entry.PartitionKey, Data: entry.Data, ApproximateArrivalTimestamp: new Date(1_700_000_000_000) };
}

function deaggregateWithAwsKinesisAgg(entry: { PartitionKey: string; Data: Uint8Array }) {
  let result: Parameters<Parameters<AwsKinesisAgg["deaggregateSync"]>[2]>[1];
  let failure: Error | null | undefined;
  awsKinesisAgg.deaggregateSync({ Data: Buffer.from(entry.Data), PartitionKey: entry.PartitionKey, SequenceNumber: sequenceNumber }, true, (error, records) => {
    failure = error;
    result = records;
  });
  assert.ifError(failure);
  return result!;
}

describe("client > kpl > aggregation", () => {
  it("round-trips records through one aggregate, with sub-sequence numbers in order", () => {
    const records = userRecords(50, new SeededRandom(1), { explicitHashKeys: true });
    const [entry, ...rest] = aggregateRecords(records);
    assert.equal(rest.length, 0);
    const users = deaggregate(asKinesisRecord(entry!));
    assert.equal(users.length, records.length);
    users.forEach((user, i) => {
      assert.equal(user.SubSequenceNumber, i);
      assert.equal(user.SequenceNumber, sequenceNumber);
      assert.equal(user.aggregated, true);
      assert.equal(user.PartitionKey, records[i]!.PartitionKey);
      assert.equal(user.ExplicitHashKey, records[i]!.ExplicitHashKey);
      assert.deepEqual(Buffer.from(user.Data), Buffer.from(records[i]!.Data));
      assert.deepEqual(user.ApproximateArrivalTimestamp, new Date(1_700_000_000_000));
    });
  });

  it("gives an aggregate partition key \"a\" and the first record's hash key, as the KPL does", () => {
    const records: UserRecordInput[] = [
      { PartitionKey: "first", Data: Buffer.from("1") },
      { PartitionKey: "second", Data: Buffer.from("2"), ExplicitHashKey: "12345" },
    ];
    const [entry] = aggregateRecords(records);
    assert.equal(entry!.PartitionKey, "a");
    assert.equal(entry!.ExplicitHashKey, hashPartitionKey("first").toString());
    const [withEhkFirst] = aggregateRecords([records[1]!, records[0]!]);
    assert.equal(withEhkFirst!.ExplicitHashKey, "12345");
  });

  it("sends a lone record as itself, not aggregated", () => {
    const record = { PartitionKey: "alone", Data: Buffer.from("payload"), ExplicitHashKey: "7" };
    const [entry] = aggregateRecords([record]);
    assert.deepEqual(entry, record);
    const [user] = deaggregate(asKinesisRecord(entry!));
    assert.equal(user!.aggregated, false);
    assert.equal(user!.SubSequenceNumber, 0);
    assert.equal(user!.PartitionKey, "alone");
  });

  it("keeps every aggregate within its byte limit, counting exactly", () => {
    const random = new SeededRandom(2);
    for (const bytesMax of [300, 4096, 51_200]) {
      const records = userRecords(1500, random, { explicitHashKeys: true, keys: 20 });
      const entries = aggregateRecords(records, bytesMax);
      assert.ok(entries.length > 1, `expected several aggregates under ${bytesMax} bytes`);
      let total = 0;
      for (const entry of entries) {
        assert.ok(recordSizeBytes(entry) <= bytesMax, `${recordSizeBytes(entry)} > ${bytesMax}`);
        total += deaggregate(asKinesisRecord(entry)).length;
      }
      assert.equal(total, records.length);
    }
  });

  it("fills an aggregate up to exactly the 1 MiB record limit and no further", () => {
    const builder = new AggregateBuilder();
    const chunk = Buffer.alloc(100_000, 7);
    while (builder.tryAdd({ PartitionKey: "k", Data: chunk }));
    // The largest record that still fits (the length varints grow with it, so count down to it).
    const sizeWith = (length: number) => builder.sizeBytesWith({ PartitionKey: "k", Data: Buffer.alloc(length) });
    let length = kinesisRecordBytesMax - sizeWith(0);
    while (sizeWith(length) > kinesisRecordBytesMax) length--;
    assert.ok(sizeWith(length + 1) > kinesisRecordBytesMax);
    const predicted = sizeWith(length);
    assert.ok(kinesisRecordBytesMax - predicted <= 2, `left ${kinesisRecordBytesMax - predicted} bytes unused`);
    assert.ok(builder.tryAdd({ PartitionKey: "k", Data: Buffer.alloc(length) }));
    const entry = builder.build();
    assert.equal(recordSizeBytes(entry), predicted);
    assert.equal(builder.tryAdd({ PartitionKey: "k", Data: Buffer.alloc(length + 1) }), false);
  });

  it("refuses a record larger than the limit", () => {
    assert.throws(() => aggregateRecords([{ PartitionKey: "k", Data: Buffer.alloc(kinesisRecordBytesMax) }]), RangeError);
  });
});

describe("client > kpl > de-aggregation", () => {
  const valid = aggregateRecords(userRecords(5, new SeededRandom(3)))[0]!;

  it("returns a record without the magic as one ordinary record", () => {
    const [user, ...rest] = deaggregate(asKinesisRecord({ PartitionKey: "p", Data: Buffer.from("plain data that is long enough") }));
    assert.equal(rest.length, 0);
    assert.equal(user!.aggregated, false);
    assert.equal(user!.SubSequenceNumber, 0);
    assert.equal(user!.notAggregatedReason, undefined);
    assert.equal(Buffer.from(user!.Data).toString(), "plain data that is long enough");
  });

  it("returns a record with a bad MD5 trailer as one ordinary record, as the KCL does", () => {
    const corrupted = Buffer.from(valid.Data);
    corrupted[corrupted.length - 1]! ^= 0xff;
    const users = deaggregate(asKinesisRecord({ PartitionKey: "a", Data: corrupted }));
    assert.equal(users.length, 1);
    assert.equal(users[0]!.aggregated, false);
    assert.equal(users[0]!.notAggregatedReason, "MD5 trailer does not match the message");
    assert.deepEqual(Buffer.from(users[0]!.Data), corrupted);
  });

  it("returns a record whose body changed under its digest as one ordinary record", () => {
    const corrupted = Buffer.from(valid.Data);
    corrupted[kplMagic.length + 3]! ^= 0x01;
    assert.equal(deaggregate(asKinesisRecord({ PartitionKey: "a", Data: corrupted }))[0]!.aggregated, false);
  });

  it("takes the magic followed by no message (20 bytes or fewer) as an ordinary record", () => {
    const data = Buffer.concat([kplMagic, crypto.createHash("md5").update(Buffer.alloc(0)).digest()]);
    const users = deaggregate(asKinesisRecord({ PartitionKey: "p", Data: data }));
    assert.equal(users.length, 1);
    assert.equal(users[0]!.aggregated, false);
  });

  it("names what is wrong with a malformed message", () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ["partition key index out of range", encodeAggregatedRecordMessage({ partitionKeyTable: ["k"], explicitHashKeyTable: [], records: [{ partitionKeyIndex: 1, data: Buffer.from("x"), tags: [] }] }), /partition_key_index 1 is outside the partition key table \(1 keys\)/],
      ["explicit hash key index out of range", encodeAggregatedRecordMessage({ partitionKeyTable: ["k"], explicitHashKeyTable: [], records: [{ partitionKeyIndex: 0, explicitHashKeyIndex: 0, data: Buffer.from("x"), tags: [] }] }), /explicit_hash_key_index 0 is outside/],
      ["truncated varint", Buffer.from([0x1a, 0x80]), /truncated varint at byte 1/],
      ["length past the end", Buffer.from([0x0a, 0x05, 0x61]), /length 5 runs past the end of the message at byte 1/],
      ["group wire type", Buffer.from([0x0b]), /unsupported group wire type 3 at byte 0/],
      ["field number 0", Buffer.from([0x02, 0x00]), /field number 0/],
      ["wrong wire type", Buffer.from([0x08, 0x01]), /partition_key_table \(field 1\) has wire type 0, expected 2/],
      ["record without data", Buffer.from([0x0a, 0x01, 0x6b, 0x1a, 0x02, 0x08, 0x00]), /record without its required data/],
      ["record without a partition key index", Buffer.from([0x1a, 0x02, 0x1a, 0x00]), /required partition_key_index/],
      ["overlong varint", Buffer.from([0x1a, ...Array(11).fill(0xff)]), /varint longer than 10 bytes/],
    ];
    for (const [name, message, expected] of cases) {
      const decoded = decodeAggregatedRecordMessage(message);
      assert.equal(decoded.ok, false, name);
      assert.match((decoded as { error: string }).error, expected, name);
      const [user] = deaggregate(asKinesisRecord({ PartitionKey: "p", Data: frameAggregatedRecord(message) }));
      assert.equal(user!.aggregated, false, name);
      assert.match(user!.notAggregatedReason!, /^malformed aggregated record: /, name);
    }
  });

  it("skips unknown fields and reads tags, as protobuf readers must", () => {
    const userRecord = Buffer.from([
      0x08, 0x00, // partition_key_index 0
      0x1a, 0x01, 0x78, // data "x"
      0x22, 0x05, 0x0a, 0x01, 0x74, 0x12, 0x00, // tags: key "t", value ""
      0x3d, 1, 2, 3, 4, // field 7, fixed32: unknown
    ]);
    const message = Buffer.concat([
      Buffer.from([0x0a, 0x01, 0x6b]), // partition_key_table "k"
      Buffer.from([0x28, 0x96, 0x01]), // field 5, varint 150: unknown
      Buffer.from([0x31, 1, 2, 3, 4, 5, 6, 7, 8]), // field 6, fixed64: unknown
      Buffer.from([0x1a, userRecord.length]),
      userRecord,
    ]);
    const decoded = decodeAggregatedRecordMessage(message);
    assert.ok(decoded.ok, decoded.ok ? "" : decoded.error);
    assert.deepEqual(decoded.value.partitionKeyTable, ["k"]);
    assert.deepEqual(decoded.value.records[0]!.tags, [{ key: "t", value: "" }]);
    assert.equal(Buffer.from(decoded.value.records[0]!.data).toString(), "x");
    // The same record cut one byte short of its unknown fixed32 field is malformed.
    const cut = Buffer.concat([message.subarray(0, 15), Buffer.from([0x1a, userRecord.length - 1]), userRecord.subarray(0, -1)]);
    assert.match((decodeAggregatedRecordMessage(cut) as { error: string }).error, /truncated fixed-width field/);
  });

  it("never throws on hostile bytes: random messages and mutations of valid ones (seeded)", () => {
    const random = new SeededRandom(4);
    const validMessage = Buffer.from(valid.Data).subarray(kplMagic.length, valid.Data.length - 16);
    for (let i = 0; i < 3000; i++) {
      let message: Buffer;
      if (i % 2 === 0) {
        message = random.bytes(1 + random.int(64));
      } else {
        message = Buffer.from(validMessage);
        for (let flips = 1 + random.int(4); flips > 0; flips--) message[random.int(message.length)] = random.int(256);
        if (random.int(4) === 0) message = message.subarray(0, random.int(message.length));
      }
      const decoded = decodeAggregatedRecordMessage(message);
      if (decoded.ok) {
        for (const record of decoded.value.records) {
          assert.ok(record.partitionKeyIndex < decoded.value.partitionKeyTable.length);
          if (record.explicitHashKeyIndex !== undefined) assert.ok(record.explicitHashKeyIndex < decoded.value.explicitHashKeyTable.length);
        }
      } else {
        assert.match(decoded.error, / at byte \d+$/);
      }
      const users = deaggregate(asKinesisRecord({ PartitionKey: "p", Data: frameAggregatedRecord(message) }));
      assert.ok(users.length >= 1 || (decoded.ok && decoded.value.records.length === 0));
    }
  });
});

describe("client > kpl > interoperability with aws-kinesis-agg", () => {
  it("de-aggregates what aws-kinesis-agg aggregates", () => {
    const random = new SeededRandom(5);
    const aggregator = new awsKinesisAgg.RecordAggregator();
    const records = Array.from({ length: 40 }, (_, i) => ({
      partitionKey: `pk-${random.int(10)}`,
      data: random.bytes(1 + random.int(100)),
      ...(i % 4 === 0 && { explicitHashKey: hashKey(random) }),
    }));
    for (const record of records) aggregator.addUserRecord(record);
    const encoded = aggregator.build();
    const users = deaggregate(asKinesisRecord({ PartitionKey: encoded.partitionKey, Data: encoded.data }));
    assert.equal(users.length, records.length);
    users.forEach((user, i) => {
      assert.equal(user.aggregated, true);
      assert.equal(user.SubSequenceNumber, i);
      assert.equal(user.PartitionKey, records[i]!.partitionKey);
      assert.equal(user.ExplicitHashKey, records[i]!.explicitHashKey);
      assert.deepEqual(Buffer.from(user.Data), records[i]!.data);
    });
  });

  it("is de-aggregated by aws-kinesis-agg, checksums verified", () => {
    const records = userRecords(60, new SeededRandom(6), { explicitHashKeys: true, keys: 15 });
    const [entry] = aggregateRecords(records);
    const users = deaggregateWithAwsKinesisAgg(entry!);
    assert.equal(users.length, records.length);
    users.forEach((user, i) => {
      assert.equal(user.SubSequenceNumber, i);
      assert.equal(user.PartitionKey, records[i]!.PartitionKey);
      if (records[i]!.ExplicitHashKey !== undefined) assert.equal(user.ExplicitPartitionKey, records[i]!.ExplicitHashKey);
      assert.deepEqual(Buffer.from(user.Data, "base64"), Buffer.from(records[i]!.Data));
    });
  });

  it("agrees with aws-kinesis-agg that a corrupted digest is not a valid aggregate", () => {
    const [entry] = aggregateRecords(userRecords(3, new SeededRandom(7)));
    const corrupted = Buffer.from(entry!.Data);
    corrupted[corrupted.length - 2]! ^= 0x10;
    let failure: Error | null = null;
    awsKinesisAgg.deaggregateSync({ Data: corrupted, PartitionKey: "a", SequenceNumber: sequenceNumber }, true, (error) => {
      failure ??= error;
    });
    assert.match(String(failure), /Invalid record checksum/);
    assert.equal(deaggregate(asKinesisRecord({ PartitionKey: "a", Data: corrupted }))[0]!.aggregated, false);
  });
});
