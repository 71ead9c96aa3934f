import { it } from "node:test";
import assert from "node:assert/strict";
import { JsonWriter } from "../../src/protocol/json-writer.js";
import { encodeJson } from "../../src/protocol/json-codec.js";
import { encodeCbor } from "../../src/protocol/cbor-codec.js";
import { RecordList } from "../../src/streams/records/record-list.js";
import type { StoredRecord } from "../../src/storage/types.js";
import { SeededRandom } from "../../src/util/random.js";

it("json-writer > base64 equals Buffer's encoding for every length and content", () => {
  const random = new SeededRandom(31);
  for (let length = 0; length < 300; length++) {
    const bytes = random.bytes(length);
    const writer = new JsonWriter(8);
    writer.base64(bytes);
    assert.equal(writer.finish().toString("latin1"), `"${bytes.toString("base64")}"`);
  }
});

it("json-writer > strings are quoted and escaped exactly as JSON.stringify does", () => {
  const random = new SeededRandom(32);
  const samples = ["", "plain", 'q"uote', "back\\slash", "tab\there", "\u0000\u001f\u007f", "héllo", "🙂", "\ud800 lone", "日本語", "a".repeat(5000)];
  for (let i = 0; i < 500; i++) samples.push(String.fromCharCode(...Array.from({ length: random.int(20) }, () => random.int(i % 2 ? 0x80 : 0x10000))));
  for (const text of samples) {
    const writer = new JsonWriter(4);
    writer.string(text);
    writer.number(1.5);
    writer.number(Number.NaN);
    assert.equal(writer.finish().toString("utf8"), JSON.stringify(text) + "1.5null");
  }
});

function storedRecords(random: SeededRandom, count: number): StoredRecord[] {
  const records: StoredRecord[] = [];
  let arrivalMs = Date.UTC(2026, 0, 1, 0, 0, 0, 1);
  let offset = random.int(1000);
  for (let i = 0; i < count; i++) {
    if (random.int(5) === 0) arrivalMs += random.int(3000);
    offset += random.int(8) === 0 ? 2 : 1;
    records.push({ offset, arrivalMs, partitionKey: random.int(4) === 0 ? `ключ-${i}"\\` : `pk-${random.int(50)}`, data: random.bytes(random.int(200)) });
  }
  return records;
}

it("record-list > its JSON equals the generic encoding of its wire records, encrypted or not", () => {
  const random = new SeededRandom(33);
  for (const count of [0, 1, 2, 7, 300]) {
    for (const encryption of ["NONE", "KMS"] as const) {
      const list = new RecordList(storedRecords(random, count), { shardEpochSeconds: 1_700_000_000 + random.int(1000), shardIndex: random.int(1000) }, encryption);
      const fast = encodeJson({ Records: list, NextShardIterator: "AAAA", MillisBehindLatest: 5 });
      const generic = encodeJson({ Records: list.toWireValue(), NextShardIterator: "AAAA", MillisBehindLatest: 5 });
      assert.equal(fast.toString("utf8"), generic.toString("utf8"));
      assert.ok(list.jsonBytesEstimate() >= 2);
    }
  }
});

it("record-list > CBOR encodes the plain wire records", () => {
  const random = new SeededRandom(34);
  const list = new RecordList(storedRecords(random, 20), { shardEpochSeconds: 1_700_000_000, shardIndex: 3 }, "NONE");
  assert.deepEqual(encodeCbor({ Records: list, MillisBehindLatest: 0 }), encodeCbor({ Records: list.toWireValue(), MillisBehindLatest: 0 }));
});
