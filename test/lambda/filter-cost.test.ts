/**
 * Lambda event filtering > cost: a mapping filters every record of its shards, so a compiled filter
 * decodes a record's data at most once, and a filter that does not read `data` never decodes it.
 * (Its speed is the trigger benchmark's business, bench/lambda: never a timed test.)
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compileFilterCriteria } from "../../src/lambda/event-sources/filter/index.js";

const recordCount = 50_000;

function records(): Record<string, unknown>[] {
  return Array.from({ length: recordCount }, (_, index) => ({
    kinesisSchemaVersion: "1.0",
    partitionKey: `key-${index % 64}`,
    sequenceNumber: String(49590338271490256608559692538361571095921575989136588898n + BigInt(index)),
    approximateArrivalTimestamp: 1545084650.987 + index / 1000,
    data: Buffer.from(JSON.stringify({ order: { type: index % 3 === 0 ? "buy" : "sell", stock: "ANYCO", quantity: index }, source: "app" })),
  }));
}

describe("lambda > filter > cost", () => {
  const batch = records();

  it(`five filters on data over ${recordCount} records > the matching ones pass`, () => {
    const filter = compileFilterCriteria({
      Filters: [
        { Pattern: '{"data": {"order": {"type": ["buy"]}}}' },
        { Pattern: '{"data": {"order": {"quantity": [{"numeric": [">", 49990]}]}}}' },
        { Pattern: '{"data": {"source": [{"prefix": "db"}]}}' },
        { Pattern: '{"partitionKey": ["key-1"], "data": {"order": {"stock": [{"anything-but": ["ANYCO"]}]}}}' },
        { Pattern: '{"data": {"$or": [{"missing": [{"exists": true}]}, {"order": {"type": [{"equals-ignore-case": "HOLD"}]}}]}}' },
      ],
    });
    let passed = 0;
    for (const record of batch) if (filter.matches(record)) passed += 1;
    assert.equal(passed, Math.ceil(recordCount / 3) + 6); // the buys, and quantities 49991..49999 that are sells
  });

  it("a filter on metadata only > never decodes data", () => {
    const filter = compileFilterCriteria({ Filters: [{ Pattern: '{"partitionKey": ["key-1"]}' }] });
    const poisoned = { partitionKey: "key-1", get data(): never { throw new Error("data was read"); } };
    assert.equal(filter.matches(poisoned), true);
    let passed = 0;
    for (const record of batch) if (filter.matches(record)) passed += 1;
    assert.equal(passed, Math.ceil((recordCount - 1) / 64));
  });
});
