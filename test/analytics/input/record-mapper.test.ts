import { it } from "node:test";
import assert from "node:assert/strict";
import { createRecordMapper, InputSchemaError, type MappedRecord } from "../../../src/analytics/input/index.js";
import type { SourceSchema } from "../../../src/analytics/model.js";

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

function json(columns: [string, string, string?][], rowPath = "$"): SourceSchema {
  return {
    RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: rowPath } } },
    RecordEncoding: "UTF-8",
    RecordColumns: columns.map(([Name, SqlType, Mapping]) => ({ Name, SqlType, Mapping: Mapping ?? `$.${Name}` })),
  };
}

function rows(result: MappedRecord): unknown[][] {
  assert.ok(result.ok, result.ok ? "" : `${result.errorName}: ${result.message}`);
  return result.ok ? result.rows : [];
}

function failure(result: MappedRecord): string {
  assert.equal(result.ok, false);
  return result.ok ? "" : `${result.errorName}: ${result.message}`;
}

it("the developer guide's JSON schema example: stock ticker records", () => {
  const mapper = createRecordMapper(
    json([
      ["TICKER_SYMBOL", "VARCHAR(4)"],
      ["SECTOR", "VARCHAR(16)"],
      ["CHANGE", "TINYINT"],
      ["PRICE", "DECIMAL(5,2)"],
    ]),
  );
  assert.deepEqual(mapper.columns.map((column) => column.name), ["TICKER_SYMBOL", "SECTOR", "CHANGE", "PRICE"]);
  assert.deepEqual(rows(mapper.map(encode({ TICKER_SYMBOL: "QXZ", SECTOR: "HEALTHCARE", CHANGE: -3, PRICE: 84.51 }))), [["QXZ", "HEALTHCARE", -3, 84.51]]);
  // Missing elements are null; paths are case sensitive.
  assert.deepEqual(rows(mapper.map(encode({ ticker_symbol: "QXZ" }))), [[null, null, null, null]]);
});

it("Kinesis sources get APPROXIMATE_ARRIVAL_TIME, PARTITION_KEY, SEQUENCE_NUMBER, SHARD_ID; delivery streams the first", () => {
  const kinesis = createRecordMapper(json([["A", "INTEGER"]]), "kinesis");
  assert.deepEqual(kinesis.columns.map((column) => column.name), ["A", "APPROXIMATE_ARRIVAL_TIME", "PARTITION_KEY", "SEQUENCE_NUMBER", "SHARD_ID"]);
  assert.deepEqual(
    rows(kinesis.map(encode({ A: 1 }), { approximateArrivalMs: 1000, partitionKey: "pk", sequenceNumber: "4960", shardId: "shardId-000000000000" })),
    [[1, 1000, "pk", "4960", "shardId-000000000000"]],
  );
  const firehose = createRecordMapper(json([["A", "INTEGER"]]), "firehose");
  assert.deepEqual(rows(firehose.map(encode({ A: 1 }), { approximateArrivalMs: 5 })), [[1, 5]]);
});

it("JSON booleans, numbers, strings, arrays and objects convert by the mapping rules", () => {
  const mapper = createRecordMapper(
    json([
      ["I", "INTEGER", "$.v"],
      ["D", "DOUBLE", "$.v"],
      ["B", "BOOLEAN", "$.v"],
      ["S", "VARCHAR(3)", "$.v"],
    ]),
  );
  assert.deepEqual(rows(mapper.map(encode({ v: true }))), [[1, 1, true, "tru"]]);
  assert.deepEqual(rows(mapper.map(encode({ v: 0 }))), [[0, 0, false, "0"]]);
  assert.deepEqual(rows(mapper.map(encode({ v: "12" }))), [[12, 12, false, "12"]]);
  assert.deepEqual(rows(mapper.map(encode({ v: null }))), [[null, null, null, null]]);
  const text = createRecordMapper(json([["B", "BOOLEAN", "$.v"], ["C", "CHAR(5)", "$.v"], ["T", "VARCHAR(64)", "$.o"]]));
  assert.deepEqual(rows(text.map(encode({ v: "TRUE", o: { a: [1, 2] } }))), [[true, "TRUE ", '{"a":[1,2]}']]);
  assert.deepEqual(rows(text.map(encode({ v: "yes", o: [1] }))), [[false, "yes  ", "[1]"]]);
});

it("datetime strings in the documented forms (and ISO with T) become TIMESTAMP, DATE and TIME values", () => {
  const mapper = createRecordMapper(json([["TS", "TIMESTAMP", "$.ts"], ["D", "DATE", "$.d"], ["T", "TIME", "$.t"]]));
  assert.deepEqual(rows(mapper.map(encode({ ts: "1992-02-14 18:35:44.0", d: "1992-02-14", t: "18:35:44" }))), [[Date.UTC(1992, 1, 14, 18, 35, 44), Date.UTC(1992, 1, 14), (18 * 3600 + 35 * 60 + 44) * 1000]]);
  assert.deepEqual(rows(mapper.map(encode({ ts: "2018-03-06T12:34:56.123456" }))), [[Date.UTC(2018, 2, 6, 12, 34, 56, 123), null, null]]);
  assert.deepEqual(rows(mapper.map(encode({ ts: "1992-02-14" }))), [[Date.UTC(1992, 1, 14), null, null]]);
  assert.match(failure(mapper.map(encode({ ts: "yesterday" }))), /^Coercion error: Cannot parse "yesterday" as TIMESTAMP$/);
  assert.match(failure(mapper.map(encode({ ts: 1234 }))), /^Coercion error: Cannot coerce JSON number 1234 to TIMESTAMP$/);
  assert.match(failure(mapper.map(encode({ ts: true }))), /^Coercion error: Cannot coerce JSON boolean true to TIMESTAMP$/);
});

it("coercion errors: values that don't fit, strings that aren't numbers, structures for non-character columns", () => {
  const mapper = createRecordMapper(json([["I", "INTEGER", "$.i"], ["D", "DECIMAL(5,2)", "$.d"], ["T", "TINYINT", "$.t"]]));
  assert.equal(failure(mapper.map(encode({ i: 123.4 }))), "Coercion error: Value 123.4 does not fit INTEGER");
  assert.equal(failure(mapper.map(encode({ i: "AMZN" }))), 'Coercion error: For input string: "AMZN"');
  assert.equal(failure(mapper.map(encode({ i: 2147483648 }))), "Coercion error: Value 2147483648 does not fit INTEGER");
  assert.equal(failure(mapper.map(encode({ t: 128 }))), "Coercion error: Value 128 does not fit TINYINT");
  assert.equal(failure(mapper.map(encode({ d: 1234.5 }))), "Coercion error: Value 1234.5 does not fit DECIMAL(5,2)");
  assert.equal(failure(mapper.map(encode({ d: 1.234 }))), "Coercion error: Value 1.234 does not fit DECIMAL(5,2)");
  assert.deepEqual(rows(mapper.map(encode({ d: "123.45" }))), [[null, 123.45, null]]);
  assert.equal(failure(mapper.map(encode({ i: [1] }))), "Coercion error: Cannot coerce JSON array [1] to INTEGER");
  assert.match(failure(mapper.map(encode("{not json"))), /^Parse error: Unable to parse the record as JSON: /);
});

it("binary columns: X'..' strings, one-byte booleans; numbers are refused", () => {
  const mapper = createRecordMapper(json([["B", "VARBINARY(4)", "$.b"]]));
  const [[value]] = rows(mapper.map(encode({ b: "X'3F67A23A'" }))) as [[Uint8Array]];
  assert.deepEqual([...value], [0x3f, 0x67, 0xa2, 0x3a]);
  const [[flag]] = rows(mapper.map(encode({ b: true }))) as [[Uint8Array]];
  assert.deepEqual([...flag], [1]);
  assert.match(failure(mapper.map(encode({ b: "3F" }))), /not a binary literal/);
  assert.match(failure(mapper.map(encode({ b: 7 }))), /Cannot coerce JSON number 7 to VARBINARY\(4\)/);
});

it("JSONPath arrays: [0:] at the end maps the whole array as text; inside a path it flattens into rows", () => {
  const record = {
    customerName: "John Doe",
    address: { streetAddress: { number: "123", street: "AnyStreet" }, city: "Anytown" },
    orders: [
      { orderId: "23284", itemName: "Widget", itemPrice: "33.99" },
      { orderId: "63122", itemName: "Gadget", itemPrice: "22.50" },
      { orderId: "77284", itemName: "Sprocket", itemPrice: "12.00" },
    ],
  };
  const nested = createRecordMapper(json([["city", "VARCHAR(16)", "$.address.city"], ["street", "VARCHAR(16)", "$.address.streetAddress.street"], ["orders", "VARCHAR(512)", "$.orders[0:]"]]));
  assert.deepEqual(rows(nested.map(encode(record))), [["Anytown", "AnyStreet", JSON.stringify(record.orders)]]);
  const flattened = createRecordMapper(json([["name", "VARCHAR(16)", "$.customerName"], ["orderId", "INTEGER", "$.orders[0:].orderId"], ["price", "DECIMAL(6,2)", "$.orders[0:].itemPrice"]]));
  assert.deepEqual(rows(flattened.map(encode(record))), [
    ["John Doe", 23284, 33.99],
    ["John Doe", 63122, 22.5],
    ["John Doe", 77284, 12],
  ]);
  // An array is always flattened to at least one row.
  assert.deepEqual(rows(flattened.map(encode({ customerName: "x", orders: [] }))), [["x", null, null]]);
  assert.deepEqual(rows(createRecordMapper(json([["itemId", "VARCHAR(8)", "$.orders[0:].itemId"]])).map(encode(record))), [[null], [null], [null]]);
  assert.deepEqual(rows(createRecordMapper(json([["second", "VARCHAR(8)", "$.orders[1].orderId"]])).map(encode(record))), [["63122"]]);
});

it("invalid schemas: two flattened arrays, nested flattening, bad paths and types", () => {
  assert.throws(() => createRecordMapper(json([["a", "INTEGER", "$.x[0:].a"], ["b", "INTEGER", "$.y[0:].b"]])), (error: unknown) => error instanceof InputSchemaError && /only one array can be flattened/.test(error.message));
  assert.throws(() => createRecordMapper(json([["a", "INTEGER", "$.x[0:].a[0:].b"]])), /only one level of array dereferencing/);
  assert.throws(() => createRecordMapper(json([["a", "INTEGER", "a.b"]])), /must start with \$/);
  assert.throws(() => createRecordMapper(json([["a", "VARCHR(3)", "$.a"]])), /invalid SqlType "VARCHR\(3\)"/);
  // Two mappings into the same flattened array are fine, and so is an array read whole beside it.
  assert.doesNotThrow(() => createRecordMapper(json([["a", "INTEGER", "$.x[0:].a"], ["b", "INTEGER", "$.x[0:].b"], ["y", "VARCHAR(9)", "$.y[0:]"]])));
});

it("RecordRowPath selects several rows from one record", () => {
  const mapper = createRecordMapper(json([["id", "INTEGER", "$.items[0:].id"]], "$.items[0:]"));
  assert.deepEqual(rows(mapper.map(encode({ items: [{ id: 1 }, { id: 2 }] }))), [[1], [2]]);
  assert.deepEqual(rows(mapper.map(encode({ items: [] }))), []);
});

it("CSV: the developer guide's example schema; fields by position, rows by the row delimiter", () => {
  const mapper = createRecordMapper({
    RecordFormat: { RecordFormatType: "CSV", MappingParameters: { CSVMappingParameters: { RecordColumnDelimiter: ",", RecordRowDelimiter: "\n" } } },
    RecordEncoding: "UTF-8",
    RecordColumns: [
      { SqlType: "VARCHAR(16)", Name: "LastName" },
      { SqlType: "VARCHAR(16)", Name: "FirstName" },
      { SqlType: "INTEGER", Name: "CustomerId" },
    ],
  });
  assert.deepEqual(rows(mapper.map(encode("Doe,John,67321\nRoe,Jane,42,extra\n"))), [
    ["Doe", "John", 67321],
    ["Roe", "Jane", 42],
  ]);
  assert.deepEqual(rows(mapper.map(encode("Doe"))), [["Doe", null, null]]);
  assert.deepEqual(rows(mapper.map(encode("Doe,,"))), [["Doe", "", null]]);
  assert.equal(failure(mapper.map(encode("Doe,John,x"))), 'Coercion error: For input string: "x"');
  const piped = createRecordMapper({
    RecordFormat: { RecordFormatType: "CSV", MappingParameters: { CSVMappingParameters: { RecordColumnDelimiter: "|", RecordRowDelimiter: ";" } } },
    RecordColumns: [{ SqlType: "DOUBLE", Name: "X" }, { SqlType: "BOOLEAN", Name: "Y" }],
  });
  assert.deepEqual(rows(piped.map(encode("1.5|true;2e3|False"))), [[1.5, true], [2000, false]]);
});
