import { it } from "node:test";
import assert from "node:assert/strict";
import { discoverInputSchema, SchemaDiscoveryError } from "../../../src/analytics/input/index.js";

const records = (...values: unknown[]): Buffer[] => values.map((value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)));

it("the getting-started stock records: TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16), CHANGE REAL, PRICE REAL", () => {
  const result = discoverInputSchema(
    records(
      { TICKER_SYMBOL: "QXZ", SECTOR: "HEALTHCARE", CHANGE: -0.05, PRICE: 84.51 },
      { TICKER_SYMBOL: "AMZN", SECTOR: "TECHNOLOGY", CHANGE: 1.5, PRICE: 740 },
    ),
  );
  assert.deepEqual(result.InputSchema, {
    RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } },
    RecordEncoding: "UTF-8",
    RecordColumns: [
      { Name: "TICKER_SYMBOL", Mapping: "$.TICKER_SYMBOL", SqlType: "VARCHAR(4)" },
      { Name: "SECTOR", Mapping: "$.SECTOR", SqlType: "VARCHAR(16)" },
      { Name: "CHANGE", Mapping: "$.CHANGE", SqlType: "REAL" },
      { Name: "PRICE", Mapping: "$.PRICE", SqlType: "REAL" },
    ],
  });
  assert.deepEqual(result.ParsedInputRecords, [
    ["QXZ", "HEALTHCARE", "-0.05", "84.51"],
    ["AMZN", "TECHNOLOGY", "1.5", "740"],
  ]);
  assert.deepEqual(result.RawInputRecords, [JSON.stringify({ TICKER_SYMBOL: "QXZ", SECTOR: "HEALTHCARE", CHANGE: -0.05, PRICE: 84.51 }), JSON.stringify({ TICKER_SYMBOL: "AMZN", SECTOR: "TECHNOLOGY", CHANGE: 1.5, PRICE: 740 })]);
  assert.deepEqual(result.ProcessedInputRecords, result.RawInputRecords);
});

it("integers, booleans, timestamps, nested objects, arrays, reserved words and odd keys", () => {
  const result = discoverInputSchema(
    records(
      { heartRate: 60, ok: true, timestamp: "2018-03-06T12:34:56.123", day: "2018-03-06", big: 5000000000, geo: { lat: 1.5, "zip code": "02139" }, tags: ["a", "b"] },
      { heartRate: 150, ok: false, timestamp: "2018-03-06 12:35:00.0", day: "2018-03-07", big: 1, geo: { lat: 2 }, tags: [] },
    ),
  );
  assert.deepEqual(
    result.InputSchema.RecordColumns.map((column) => `${column.Name} ${column.SqlType} ${column.Mapping}`),
    [
      "heartRate INTEGER $.heartRate",
      "ok BOOLEAN $.ok",
      "COL_timestamp TIMESTAMP $.timestamp",
      "COL_day DATE $.day",
      "big BIGINT $.big",
      "lat REAL $.geo.lat",
      "COL_zipcode VARCHAR(8) $.geo['zip code']",
      "tags VARCHAR(16) $.tags[0:]",
    ],
  );
  assert.deepEqual(result.ParsedInputRecords[0], ["60", "true", "2018-03-06T12:34:56.123", "2018-03-06", "5000000000", "1.5", "02139", '["a","b"]']);
  assert.deepEqual(result.ParsedInputRecords[1], ["150", "false", "2018-03-06 12:35:00.0", "2018-03-07", "1", "2", null, "[]"]);
});

it("mixed types fall back to VARCHAR; duplicate leaf names get a suffix", () => {
  const result = discoverInputSchema(records({ v: 1, a: { id: "x" }, b: { id: "y" } }, { v: "one", a: { id: "xx" }, b: { id: "yyy" } }));
  assert.deepEqual(
    result.InputSchema.RecordColumns.map((column) => `${column.Name} ${column.SqlType} ${column.Mapping}`),
    ["v VARCHAR(4) $.v", "id VARCHAR(4) $.a.id", "id_2 VARCHAR(4) $.b.id"],
  );
});

it("CSV records: the delimiter that splits every line alike; columns COL1…", () => {
  const result = discoverInputSchema(records("AMZN|TECHNOLOGY|740.5|12", "QXZ|HEALTHCARE|84.51|3\nXYZ|RETAIL|1|4"));
  assert.deepEqual(result.InputSchema, {
    RecordFormat: { RecordFormatType: "CSV", MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: "\n", RecordColumnDelimiter: "|" } } },
    RecordEncoding: "UTF-8",
    RecordColumns: [
      { Name: "COL1", SqlType: "VARCHAR(4)" },
      { Name: "COL2", SqlType: "VARCHAR(16)" },
      { Name: "COL3", SqlType: "REAL" },
      { Name: "COL4", SqlType: "INTEGER" },
    ],
  });
  assert.deepEqual(result.ParsedInputRecords, [
    ["AMZN", "TECHNOLOGY", "740.5", "12"],
    ["QXZ", "HEALTHCARE", "84.51", "3"],
    ["XYZ", "RETAIL", "1", "4"],
  ]);
});

it("preprocessed samples: the schema comes from them, the raw records are reported beside", () => {
  const result = discoverInputSchema(records({ a: 1 }), records("raw bytes"));
  assert.deepEqual(result.RawInputRecords, ["raw bytes"]);
  assert.deepEqual(result.ProcessedInputRecords, ['{"a":1}']);
});

it("no records, or binary ones, can't be discovered", () => {
  assert.throws(() => discoverInputSchema([]), (error: unknown) => error instanceof SchemaDiscoveryError && /No records/.test(error.message));
  assert.throws(
    () => discoverInputSchema([Buffer.from([0, 1, 2, 3])]),
    (error: unknown) => error instanceof SchemaDiscoveryError && error.RawInputRecords.length === 1,
  );
});

it("an S3 object's header line names the CSV columns (the developer guide's reference data)", () => {
  const object = "Ticker, Company\nAMZN,Amazon\nASD, SomeCompanyA\nMMB, SomeCompanyB\nWAS,  SomeCompanyC\n";
  const result = discoverInputSchema(records(object), undefined, { csvHeader: true });
  assert.deepEqual(result.InputSchema.RecordColumns, [
    { Name: "Ticker", SqlType: "VARCHAR(4)" },
    { Name: "Company", SqlType: "VARCHAR(16)" },
  ]);
  assert.deepEqual(result.ParsedInputRecords, [["Ticker", " Company"], ["AMZN", "Amazon"], ["ASD", " SomeCompanyA"], ["MMB", " SomeCompanyB"], ["WAS", "  SomeCompanyC"]]);
});

it("the developer guide's discovery on static data: header names, COL_ for reserved words, CRLF rows, the header parsed as a row", () => {
  const object =
    "year,month,state,producer_type,energy_source,units,consumption\r\n" +
    "2001,1,AK,TotalElectricPowerIndustry,Coal,ShortTons,47615\r\n" +
    "2001,1,AK,ElectricGeneratorsElectricUtilities,Coal,ShortTons,16535\r\n" +
    "2001,1,AK,CombinedHeatandPowerElectricPower,Coal,ShortTons,22890\r\n" +
    "2001,1,AL,TotalElectricPowerIndustry,Coal,ShortTons,3020601\r\n" +
    "2001,1,AL,ElectricGeneratorsElectricUtilities,Coal,ShortTons,2987681";
  const result = discoverInputSchema(records(object), undefined, { csvHeader: true });
  assert.deepEqual(result.InputSchema, {
    RecordFormat: { RecordFormatType: "CSV", MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: "\r\n", RecordColumnDelimiter: "," } } },
    RecordEncoding: "UTF-8",
    RecordColumns: [
      { Name: "COL_year", SqlType: "INTEGER" },
      { Name: "COL_month", SqlType: "INTEGER" },
      { Name: "state", SqlType: "VARCHAR(4)" },
      { Name: "producer_type", SqlType: "VARCHAR(64)" },
      { Name: "energy_source", SqlType: "VARCHAR(4)" },
      { Name: "units", SqlType: "VARCHAR(16)" },
      { Name: "consumption", SqlType: "INTEGER" },
    ],
  });
  assert.deepEqual(result.RawInputRecords, [object]);
  assert.deepEqual(result.ParsedInputRecords, [
    [null, null, "state", "producer_type", "energy_source", "units", null],
    ["2001", "1", "AK", "TotalElectricPowerIndustry", "Coal", "ShortTons", "47615"],
    ["2001", "1", "AK", "ElectricGeneratorsElectricUtilities", "Coal", "ShortTons", "16535"],
    ["2001", "1", "AK", "CombinedHeatandPowerElectricPower", "Coal", "ShortTons", "22890"],
    ["2001", "1", "AL", "TotalElectricPowerIndustry", "Coal", "ShortTons", "3020601"],
    ["2001", "1", "AL", "ElectricGeneratorsElectricUtilities", "Coal", "ShortTons", "2987681"],
  ]);
});

it("column naming during discovery: the developer guide's examples", () => {
  const result = discoverInputSchema(records({ USER: 1, "USER@DOMAIN": 2, "@@": 3, "1st": 4, fine_name: 5 }));
  assert.deepEqual(result.InputSchema.RecordColumns.map((column) => column.Name), ["COL_USER", "COL_USERDOMAIN", "COL_2", "COL_1st", "fine_name"]);
});
