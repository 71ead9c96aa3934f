import { it } from "node:test";
import assert from "node:assert/strict";
import { shardIdFromIndex, shardIndexFromId, shardIndexMax } from "../../src/core/shard-id.js";

it("core > shard-id > ids are shardId- and a 12-digit zero-padded index", () => {
  assert.equal(shardIdFromIndex(0), "shardId-000000000000");
  assert.equal(shardIdFromIndex(17), "shardId-000000000017");
  assert.equal(shardIdFromIndex(shardIndexMax), "shardId-002147483647");
});

it("core > shard-id > AWS resolves the digits after the first hyphen, or the whole text", () => {
  const cases: [string, number][] = [
    ["shardId-000000000001", 1],
    ["shardId-1", 1],
    ["shard-0", 0],
    ["1", 1],
    ["00007", 7],
    ["a-00002147483647", shardIndexMax],
    ["-00002147483647", shardIndexMax],
    ["anything_at.all-5", 5],
  ];
  for (const [text, index] of cases) assert.equal(shardIndexFromId(text), index, text);
});

it("core > shard-id > text that names no index resolves to nothing", () => {
  // As kinesalite records for AWS: letters, exponents, a second hyphen and indexes past a Java int.
  for (const text of ["ABKLFD8", "2.14E4", "shardId-", "shardId-abc", "a-b-1", "2147483648", "shardId-002147483648", "5-", ""]) {
    assert.equal(shardIndexFromId(text), undefined, text);
  }
});

it("core > shard-id > an id round-trips through its index", () => {
  for (const index of [0, 1, 99, 123456789, shardIndexMax]) assert.equal(shardIndexFromId(shardIdFromIndex(index)), index);
});
