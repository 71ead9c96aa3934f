/**
 * Lambda event filtering > AWS's examples: the FilterCriteria of AWS's Lambda developer guide
 * ("Lambda event filtering", "Using event filtering with a Kinesis event source") copied verbatim,
 * against the records those pages describe.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compileFilterCriteria, validateFilterCriteria } from "../../src/lambda/event-sources/filter/index.js";

/** The record of the Kinesis page's example event, with its data replaced by `data`'s JSON. */
function kinesisRecord(data: unknown, partitionKey = "1"): Record<string, unknown> {
  return {
    kinesisSchemaVersion: "1.0",
    partitionKey,
    sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
    data: Buffer.from(JSON.stringify(data)),
    approximateArrivalTimestamp: 1545084650.987,
  };
}

/** `--filter-criteria` as the pages write it (JSON with the Pattern as an escaped string). */
function criteriaFrom(text: string): { Filters: { Pattern: string }[] } {
  const criteria = JSON.parse(text) as { Filters: { Pattern: string }[] };
  assert.equal(validateFilterCriteria(criteria), undefined, text);
  return criteria;
}

describe("lambda > filter > AWS examples > Kinesis event source", () => {
  it('order type "buy" > passes buys, drops sells', () => {
    const filter = compileFilterCriteria(criteriaFrom(String.raw`{ "Filters": [ { "Pattern": "{ \"data\" : { \"order\" : { \"type\" : [ \"buy\" ] } } }" } ] }`));
    assert.equal(filter.matches(kinesisRecord({ record: 12345, order: { type: "buy", stock: "ANYCO", quantity: 1000 } })), true);
    assert.equal(filter.matches(kinesisRecord({ record: 12346, order: { type: "sell", stock: "ANYCO", quantity: 1000 } })), false);
  });

  it("the page's own example record (RecordNumber, TimeStamp, RequestCode) > no order: dropped; on RequestCode: passes", () => {
    const filter = compileFilterCriteria(criteriaFrom(String.raw`{ "Filters": [ { "Pattern": "{ \"data\" : { \"order\" : { \"type\" : [ \"buy\" ] } } }" } ] }`));
    const data = Buffer.from("eyJSZWNvcmROdW1iZXIiOiAiMDAwMSIsICJUaW1lU3RhbXAiOiAieXl5eS1tbS1kZFRoaDptbTpzcyIsICJSZXF1ZXN0Q29kZSI6ICJBQUFBIn0=", "base64");
    assert.equal(filter.matches({ ...kinesisRecord({}), data }), false);
    const byCode = compileFilterCriteria(criteriaFrom(String.raw`{ "Filters": [ { "Pattern": "{ \"data\" : { \"RequestCode\" : [ \"AAAA\" ] } }" } ] }`));
    assert.equal(byCode.matches({ ...kinesisRecord({}), data }), true);
  });
});

describe("lambda > filter > AWS examples > Lambda event filtering", () => {
  it('partitionKey "1" and Location "Los Angeles" > both must hold', () => {
    const filter = compileFilterCriteria(
      criteriaFrom(String.raw`{ "Filters": [ { "Pattern": "{ \"partitionKey\": [ \"1\" ], \"data\": { \"Location\": [ \"Los Angeles\" ] }}" } ] }`),
    );
    assert.equal(filter.matches(kinesisRecord({ Location: "Los Angeles" })), true);
    assert.equal(filter.matches(kinesisRecord({ Location: "Los Angeles" }, "2")), false);
    assert.equal(filter.matches(kinesisRecord({ Location: "Seattle" })), false);
  });

  it("Temperature above 50 and at most 60 (the plain-JSON form of the page's pattern)", () => {
    const pattern = { data: { Temperature: [{ numeric: [">", 50, "<=", 60] }] } };
    const filter = compileFilterCriteria({ Filters: [{ Pattern: JSON.stringify(pattern) }] });
    assert.equal(filter.matches(kinesisRecord({ City: "Seattle", State: "WA", Temperature: 55, Month: "December" })), true);
    assert.equal(filter.matches(kinesisRecord({ City: "Seattle", Temperature: 60 })), true);
    assert.equal(filter.matches(kinesisRecord({ City: "Seattle", Temperature: 50 })), false);
    // The page's record holds "46", a string: numeric never matches a string.
    assert.equal(filter.matches(kinesisRecord({ City: "Seattle", Temperature: "55" })), false);
  });

  it("console example { \"a\" : [ 1, 2 ] } > a is 1 or 2 (a metadata-style field here)", () => {
    const filter = compileFilterCriteria(criteriaFrom(String.raw`{ "Filters": [ { "Pattern": "{ \"a\" : [ 1, 2 ] }" } ] }`));
    assert.equal(filter.matches({ ...kinesisRecord({}), a: 2 }), true);
    assert.equal(filter.matches({ ...kinesisRecord({}), a: 3 }), false);
  });

  // The operator table ("Filter rule syntax"), each rule under data.
  const table: Array<[string, string, unknown, unknown]> = [
    ["Null", '"UserID": [ null ]', { UserID: null }, { UserID: "u1" }],
    ["Empty", '"LastName": [""]', { LastName: "" }, { LastName: "Doe" }],
    ["Equals", '"Name": [ "Alice" ]', { Name: "Alice" }, { Name: "alice" }],
    ["Equals (ignore case)", '"Name": [ { "equals-ignore-case": "alice" } ]', { Name: "ALICE" }, { Name: "Bob" }],
    ["And", '"Location": [ "New York" ], "Day": ["Monday"]', { Location: "New York", Day: "Monday" }, { Location: "New York", Day: "Friday" }],
    ["Or", '"PaymentType": [ "Credit", "Debit"]', { PaymentType: "Debit" }, { PaymentType: "Cash" }],
    ["Or (multiple fields)", '"$or": [ { "Location": [ "New York" ] }, { "Day": [ "Monday" ] } ]', { Day: "Monday" }, { Location: "Boston", Day: "Friday" }],
    ["Not", '"Weather": [ { "anything-but": [ "Raining" ] } ]', { Weather: "Sunny" }, { Weather: "Raining" }],
    ["Numeric (equals)", '"Price": [ { "numeric": [ "=", 100 ] } ]', { Price: 100 }, { Price: 101 }],
    ["Numeric (range)", '"Price": [ { "numeric": [ ">", 10, "<=", 20 ] } ]', { Price: 20 }, { Price: 10 }],
    ["Exists", '"ProductName": [ { "exists": true } ]', { ProductName: "x" }, { Other: "x" }],
    ["Does not exist", '"ProductName": [ { "exists": false } ]', { Other: "x" }, { ProductName: "x" }],
    ["Begins with", '"Region": [ {"prefix": "us-" } ]', { Region: "us-east-2" }, { Region: "eu-west-1" }],
    ["Ends with", '"FileName": [ { "suffix": ".png" } ]', { FileName: "photo.png" }, { FileName: "photo.jpg" }],
  ];
  for (const [name, rule, passing, dropped] of table) {
    it(`operator table > ${name}`, () => {
      const pattern = `{ "data": { ${rule} } }`;
      assert.equal(validateFilterCriteria({ Filters: [{ Pattern: pattern }] }), undefined, pattern);
      const filter = compileFilterCriteria({ Filters: [{ Pattern: pattern }] });
      assert.equal(filter.matches(kinesisRecord(passing)), true, `${pattern} passes ${JSON.stringify(passing)}`);
      assert.equal(filter.matches(kinesisRecord(dropped)), false, `${pattern} drops ${JSON.stringify(dropped)}`);
    });
  }

  it("the five-filter default quota > a sixth filter is refused", () => {
    const six = { Filters: Array.from({ length: 6 }, (_, index) => ({ Pattern: `{ "a" : [ ${index} ] }` })) };
    assert.equal(validateFilterCriteria(six)?.type, "ValidationException");
  });
});
