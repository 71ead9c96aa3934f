import { it } from "node:test";
import assert from "node:assert/strict";
import { formatRow, parseReferenceObject, splitJsonDocuments } from "../../../src/analytics/input/index.js";
import type { Column } from "../../../src/analytics/sql/types.js";

const columns: Column[] = [
  { name: "TICKER", type: { name: "VARCHAR", precision: 4 } },
  { name: "PRICE", type: { name: "DOUBLE" } },
  { name: "CHANGE", type: { name: "REAL" } },
  { name: "AMOUNT", type: { name: "DECIMAL", precision: 8, scale: 2 } },
  { name: "COUNT", type: { name: "BIGINT" } },
  { name: "AT", type: { name: "TIMESTAMP", precision: 3 } },
  { name: "OK", type: { name: "BOOLEAN" } },
  { name: "BYTES", type: { name: "VARBINARY", precision: 4 } },
  { name: "NOTHING", type: { name: "INTEGER" } },
];
const row = ["AMZN", 84, Math.fround(84.51), 12.5, 3, Date.UTC(2018, 10, 1, 1, 2, 3, 4), true, Uint8Array.from([1, 2, 3]), null];

it("JSON destination records: Java number texts, timestamps as text, binary as base64", () => {
  assert.equal(
    formatRow(columns, row, "JSON"),
    '{"TICKER":"AMZN","PRICE":84.0,"CHANGE":84.51,"AMOUNT":12.50,"COUNT":3,"AT":"2018-11-01 01:02:03.004","OK":true,"BYTES":"AQID","NOTHING":null}',
  );
  assert.equal(formatRow([{ name: "X", type: { name: "DOUBLE" } }], [1e-4], "JSON"), '{"X":1.0E-4}');
  assert.equal(formatRow([{ name: "X", type: { name: "DOUBLE" } }], [Number.NaN], "JSON"), '{"X":"NaN"}');
});

it("CSV destination records: values joined by commas, NULL empty", () => {
  assert.equal(formatRow(columns, row, "CSV"), "AMZN,84.0,84.51,12.50,3,2018-11-01 01:02:03.004,true,AQID,");
});

it("reference objects: CSV rows by the row delimiter, JSON documents one after another", () => {
  const csv = parseReferenceObject(Buffer.from("Ticker,Company\nAMZN,Amazon\nASD,SomeCompanyA\n"), {
    RecordFormat: { RecordFormatType: "CSV", MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: "\n", RecordColumnDelimiter: "," } } },
    RecordEncoding: "UTF-8",
    RecordColumns: [{ Name: "Ticker", SqlType: "VARCHAR(4)" }, { Name: "Company", SqlType: "VARCHAR(40)" }],
  });
  assert.deepEqual(csv, { rows: [["Tick", "Company"], ["AMZN", "Amazon"], ["ASD", "SomeCompanyA"]], errors: [] });
  const json = parseReferenceObject(Buffer.from('{"t":"A","n":1}\n{"t":"B","n":"x"}{"t":"C","n":3}'), {
    RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } },
    RecordColumns: [{ Name: "T", SqlType: "VARCHAR(1)", Mapping: "$.t" }, { Name: "N", SqlType: "INTEGER", Mapping: "$.n" }],
  });
  assert.deepEqual(json.rows, [["A", 1], ["C", 3]]);
  assert.deepEqual(json.errors, [{ errorName: "Coercion error", message: 'For input string: "x"' }]);
  assert.deepEqual(splitJsonDocuments('{"a":"}"} [1,[2]]\n{}'), ['{"a":"}"}', "[1,[2]]", "{}"]);
});
