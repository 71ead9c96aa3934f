/**
 * Lambda event filtering > operators: every comparison operator of Lambda's filter rule syntax,
 * matched against Kinesis records (metadata properties at the top, `data` the payload's JSON),
 * each with records it must pass and records it must drop.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compileFilterCriteria } from "../../src/lambda/event-sources/filter/index.js";

/** A Kinesis record as the filter sees it: metadata properties and the data's bytes. */
function record(data: unknown, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kinesisSchemaVersion: "1.0",
    partitionKey: "1",
    sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
    approximateArrivalTimestamp: 1545084650.987,
    ...metadata,
    data: Buffer.from(typeof data === "string" ? data : JSON.stringify(data)),
  };
}

function matcher(pattern: unknown) {
  return compileFilterCriteria({ Filters: [{ Pattern: JSON.stringify(pattern) }] });
}

interface Case {
  name: string;
  /** The rules of one data field, `{"data": {"f": rules}}`. */
  rules: unknown[];
  passes: unknown[];
  drops: unknown[];
}

/** Values of `f` in `{"f": value}`; `absent` for a record without f. */
const absent = Symbol("absent");

const cases: Case[] = [
  { name: "equals > string", rules: ["Alice"], passes: ["Alice", ["Bob", "Alice"]], drops: ["alice", "Alice ", "", null, absent, 1, ["Bob"]] },
  { name: "equals > empty string", rules: [""], passes: [""], drops: ["x", null, absent] },
  { name: "equals > number", rules: [100], passes: [100, 100.0, [1, 100]], drops: [101, "100", null, absent] },
  { name: "equals > null", rules: [null], passes: [null, [1, null]], drops: ["null", "", 0, false, absent] },
  { name: "equals > booleans", rules: [true], passes: [true], drops: [false, "true", 1, absent] },
  { name: "or > several values", rules: ["Credit", "Debit"], passes: ["Credit", "Debit"], drops: ["Cash", absent] },
  { name: "equals-ignore-case", rules: [{ "equals-ignore-case": "alice" }], passes: ["Alice", "ALICE", "alice"], drops: ["Alic", "Alice!", 1, null, absent] },
  { name: "prefix", rules: [{ prefix: "us-" }], passes: ["us-east-1", "us-"], drops: ["US-east-1", "eu-west-1", "u", null, 5, absent] },
  { name: "prefix > equals-ignore-case", rules: [{ prefix: { "equals-ignore-case": "EventB" } }], passes: ["eventbridge", "EVENTBRIDGE"], drops: ["event", "xeventb", absent] },
  { name: "suffix", rules: [{ suffix: ".png" }], passes: ["a.png", ".png"], drops: ["a.PNG", "a.png.gif", absent, 1] },
  { name: "suffix > equals-ignore-case", rules: [{ suffix: { "equals-ignore-case": "tBridge" } }], passes: ["eventbridge", "EVENTBRIDGE"], drops: ["bridge", absent] },
  { name: "anything-but > list", rules: [{ "anything-but": ["Raining"] }], passes: ["Sunny", "raining", 5, null, ["Raining", "Sunny"]], drops: ["Raining", ["Raining"], absent, []] },
  { name: "anything-but > one value", rules: [{ "anything-but": "initializing" }], passes: ["running"], drops: ["initializing", absent] },
  { name: "anything-but > numbers", rules: [{ "anything-but": [100, 200] }], passes: [150, "100"], drops: [100, 200, absent] },
  { name: "numeric > =", rules: [{ numeric: ["=", 100] }], passes: [100, 100.0], drops: [100.5, "100", null, absent] },
  { name: "numeric > range", rules: [{ numeric: [">", 10, "<=", 20] }], passes: [10.5, 20, 15], drops: [10, 20.01, -5, "15", absent] },
  { name: "numeric > upper bound first", rules: [{ numeric: ["<", 0, ">=", -5] }], passes: [-5, -0.5], drops: [0, -6] },
  { name: "numeric > one bound", rules: [{ numeric: [">=", 0] }], passes: [0, 1e9], drops: [-1] },
  { name: "numeric > <", rules: [{ numeric: ["<", 0] }], passes: [-1], drops: [0, 1] },
  { name: "exists > true", rules: [{ exists: true }], passes: ["x", "", null, 0, false, [1]], drops: [absent, { nested: 1 }, []] },
  { name: "exists > false", rules: [{ exists: false }], passes: [absent, { nested: 1 }, []], drops: ["x", null, 0, [1]] },
  { name: "mixed rules > any matches", rules: ["a", { prefix: "zz" }, { numeric: [">", 100] }], passes: ["a", "zzz", 101], drops: ["b", 100, absent] },
];

function dataWith(value: unknown): unknown {
  return value === absent ? { other: 1 } : { f: value };
}

describe("lambda > filter > operators", () => {
  for (const { name, rules, passes, drops } of cases) {
    const filter = matcher({ data: { f: rules } });
    it(`${name} > passes`, () => {
      for (const value of passes) assert.equal(filter.matches(record(dataWith(value))), true, `${JSON.stringify(rules)} passes ${String(value === absent ? "absent" : JSON.stringify(value))}`);
    });
    it(`${name} > drops`, () => {
      for (const value of drops) assert.equal(filter.matches(record(dataWith(value))), false, `${JSON.stringify(rules)} drops ${String(value === absent ? "absent" : JSON.stringify(value))}`);
    });
  }
});

describe("lambda > filter > structure", () => {
  it("and > every field of a pattern must match", () => {
    const filter = matcher({ data: { Location: ["New York"], Day: ["Monday"] } });
    assert.equal(filter.matches(record({ Location: "New York", Day: "Monday" })), true);
    assert.equal(filter.matches(record({ Location: "New York", Day: "Tuesday" })), false);
    assert.equal(filter.matches(record({ Location: "New York" })), false);
  });

  it("nested objects > the path must exist with the value", () => {
    const filter = matcher({ data: { order: { type: ["buy"] } } });
    assert.equal(filter.matches(record({ order: { type: "buy", stock: "ANYCO" } })), true);
    assert.equal(filter.matches(record({ order: { type: "sell" } })), false);
    assert.equal(filter.matches(record({ order: "buy" })), false);
    assert.equal(filter.matches(record({ type: "buy" })), false);
  });

  it("exists false through a missing parent > matches", () => {
    const filter = matcher({ data: { a: { b: [{ exists: false }] } } });
    assert.equal(filter.matches(record({ c: 1 })), true);
    assert.equal(filter.matches(record({ a: { c: 1 } })), true);
    assert.equal(filter.matches(record({ a: { b: 1 } })), false);
  });

  it("event arrays of objects > one element must match the whole nested pattern", () => {
    const filter = matcher({ data: { items: { sku: ["A"], qty: [{ numeric: [">", 1] }] } } });
    assert.equal(filter.matches(record({ items: [{ sku: "B", qty: 5 }, { sku: "A", qty: 2 }] })), true);
    assert.equal(filter.matches(record({ items: [{ sku: "A", qty: 1 }, { sku: "B", qty: 5 }] })), false, "fields from different elements do not combine");
    assert.equal(filter.matches(record({ items: [] })), false);
  });

  it("event arrays of arrays > flattened", () => {
    const filter = matcher({ data: { tags: ["x"] } });
    assert.equal(filter.matches(record({ tags: [["a"], ["b", ["x"]]] })), true);
    assert.equal(filter.matches(record({ tags: [["a"], [{ x: 1 }]] })), false);
  });

  it("$or > any of its patterns, each an AND of its fields", () => {
    const filter = matcher({ data: { $or: [{ Location: ["New York"] }, { Day: ["Monday"], Month: ["May"] }] } });
    assert.equal(filter.matches(record({ Location: "New York" })), true);
    assert.equal(filter.matches(record({ Day: "Monday", Month: "May" })), true);
    assert.equal(filter.matches(record({ Day: "Monday", Month: "June" })), false);
    assert.equal(filter.matches(record({ Location: "Boston" })), false);
  });

  it("$or > beside other fields, ANDed with them", () => {
    const filter = matcher({ data: { source: ["app"], $or: [{ level: ["error"] }, { code: [{ numeric: [">=", 500] }] }] } });
    assert.equal(filter.matches(record({ source: "app", level: "error" })), true);
    assert.equal(filter.matches(record({ source: "app", code: 503 })), true);
    assert.equal(filter.matches(record({ source: "db", code: 503 })), false);
    assert.equal(filter.matches(record({ source: "app", code: 404 })), false);
  });

  it("$or > at the top, across metadata and data", () => {
    const filter = matcher({ $or: [{ partitionKey: ["vip"] }, { data: { priority: ["high"] } }] });
    assert.equal(filter.matches(record({ priority: "low" }, { partitionKey: "vip" })), true);
    assert.equal(filter.matches(record({ priority: "high" })), true);
    assert.equal(filter.matches(record({ priority: "low" })), false);
    assert.equal(filter.matches(record("not json", { partitionKey: "vip" })), true, "the metadata branch still holds for non-JSON data");
    assert.equal(filter.matches(record("not json")), false);
  });

  it("a field named $or (not a list of patterns) > an ordinary field", () => {
    const filter = matcher({ data: { $or: ["x"] } });
    assert.equal(filter.matches(record({ $or: "x" })), true);
    assert.equal(filter.matches(record({ $or: "y" })), false);
  });

  it("inherited names > never read from Object.prototype", () => {
    assert.equal(matcher({ data: { constructor: [{ exists: true }] } }).matches(record({ a: 1 })), false);
    assert.equal(matcher({ data: { toString: [{ exists: false }] } }).matches(record({ a: 1 })), true);
    assert.equal(matcher({ data: { constructor: ["x"] } }).matches(record({ constructor: "x" })), true);
  });
});

describe("lambda > filter > metadata properties and data", () => {
  it("metadata properties > the members of the event's kinesis object, at the top of the pattern", () => {
    const filter = matcher({ partitionKey: ["1"], kinesisSchemaVersion: ["1.0"] });
    assert.equal(filter.matches(record({})), true);
    assert.equal(filter.matches(record({}, { partitionKey: "2" })), false);
    assert.equal(filter.matches(record("plain text")), true, "a filter without data reads no data");
  });

  it("approximateArrivalTimestamp > numeric", () => {
    const filter = matcher({ approximateArrivalTimestamp: [{ numeric: [">", 1545084650] }] });
    assert.equal(filter.matches(record({})), true);
    assert.equal(filter.matches(record({}, { approximateArrivalTimestamp: 1545084649.5 })), false);
  });

  it("kinesis > not a member the filter sees (patterns address the record's members directly)", () => {
    assert.equal(matcher({ kinesis: { partitionKey: ["1"] } }).matches(record({})), false);
  });

  it("data that is not JSON > dropped by every filter on data, even exists:false", () => {
    for (const bytes of ["plain text", "{\"a\":", "", "\u00ff\u00fe"]) {
      assert.equal(matcher({ data: { a: [{ exists: false }] } }).matches(record(bytes)), false, JSON.stringify(bytes));
      assert.equal(matcher({ data: { a: ["x"] } }).matches(record(bytes)), false, JSON.stringify(bytes));
    }
  });

  it("data that is JSON but not an object > only exists:false holds", () => {
    assert.equal(matcher({ data: { a: [{ exists: false }] } }).matches(record("42")), true);
    assert.equal(matcher({ data: { a: [42] } }).matches(record("42")), false);
  });

  it("data as a Uint8Array view > decoded like a Buffer", () => {
    const bytes = new TextEncoder().encode('xx{"a":"b"}').subarray(2);
    assert.equal(matcher({ data: { a: ["b"] } }).matches({ partitionKey: "1", data: bytes }), true);
  });

  it("data already decoded > taken as is", () => {
    assert.equal(matcher({ data: { a: ["b"] } }).matches({ partitionKey: "1", data: { a: "b" } }), true);
  });
});

describe("lambda > filter > criteria", () => {
  it("no filters > every record passes", () => {
    assert.equal(compileFilterCriteria({}).matches(record("anything")), true);
    assert.equal(compileFilterCriteria({ Filters: [] }).matches(record("anything")), true);
  });

  it("several filters > ORed: a record passes when any matches", () => {
    const filter = compileFilterCriteria({
      Filters: [
        { Pattern: JSON.stringify({ data: { kind: ["a"] } }) },
        { Pattern: JSON.stringify({ partitionKey: ["k2"] }) },
        { Pattern: JSON.stringify({ data: { n: [{ numeric: [">", 10] }] } }) },
      ],
    });
    assert.equal(filter.matches(record({ kind: "a" })), true);
    assert.equal(filter.matches(record({ kind: "b" }, { partitionKey: "k2" })), true);
    assert.equal(filter.matches(record({ n: 11 })), true);
    assert.equal(filter.matches(record({ kind: "b", n: 10 })), false);
  });
});
