/**
 * The deserializers' options and the failures: OpenX's CaseInsensitive, ColumnToJsonKeyMappings,
 * ConvertDotsInJsonKeysToUnderscores and timestamp formats; Hive's TimestampFormats; records that
 * are not JSON or do not fit the schema fail alone with Firehose's codes; schemas that cannot be
 * converted; ORC refused.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { conversionSupportError, createConverter, type Converter } from "../../src/firehose/conversion/index.js";
import { config, metadata, readRows, records, table } from "./conversion-helpers.js";

function converterOf(columns: [string, string][], deserializer?: object): Converter {
  const converter = createConverter(config(deserializer), table(columns));
  assert.ok(!("error" in converter), JSON.stringify(converter));
  return converter;
}

async function rowsOf(converter: Converter, ...documents: (string | object)[]): Promise<any[]> {
  const { file, failed } = converter.convert(records(...documents));
  assert.deepEqual(failed.map((failure) => failure.errorMessage), []);
  return readRows(file);
}

describe("firehose > conversion > serde", () => {
  it("firehose > conversion > serde > OpenX: case-insensitive by default, exact when CaseInsensitive is false", async () => {
    assert.deepEqual((await rowsOf(converterOf([["userid", "int"]]), { UserId: 5 })).map((row) => row.userid), [5]);
    assert.deepEqual((await rowsOf(converterOf([["userid", "int"]], { OpenXJsonSerDe: { CaseInsensitive: false } }), { UserId: 5 }, { userid: 6 })).map((row) => row.userid ?? null), [null, 6]);
  });

  it("firehose > conversion > serde > OpenX: ColumnToJsonKeyMappings and ConvertDotsInJsonKeysToUnderscores", async () => {
    const mapped = converterOf([["ts_value", "string"], ["a_b", "int"]], { OpenXJsonSerDe: { ColumnToJsonKeyMappings: { ts_value: "timestamp" }, ConvertDotsInJsonKeysToUnderscores: true } });
    const rows = await rowsOf(mapped, { timestamp: "now", "a.b": 3 });
    assert.deepEqual(rows, [{ ts_value: "now", a_b: 3 }]);
    const withoutDots = converterOf([["a_b", "int"]]);
    assert.equal((await rowsOf(withoutDots, { "a.b": 3 }))[0].a_b ?? null, null);
  });

  it("firehose > conversion > serde > OpenX timestamps: ISO with Z, SQL form, epoch seconds, millis and fractional seconds", async () => {
    const converter = converterOf([["ts", "timestamp"]]);
    const rows = await rowsOf(converter, { ts: "2017-02-07T15:13:01.39256Z" }, { ts: "2017-2-7 15:13:01.1" }, { ts: 1518033528 }, { ts: 1518033528123 }, { ts: 1518033528.123 }, { ts: "1518033528" });
    assert.deepEqual(
      rows.map((row) => row.ts.toISOString()),
      ["2017-02-07T15:13:01.392Z", "2017-02-07T15:13:01.100Z", "2018-02-07T19:58:48.000Z", "2018-02-07T19:58:48.123Z", "2018-02-07T19:58:48.123Z", "2018-02-07T19:58:48.000Z"],
    );
  });

  it("firehose > conversion > serde > Hive: java.sql.Timestamp by default; TimestampFormats (Joda patterns, millis) in order", async () => {
    const byDefault = converterOf([["ts", "timestamp"]], { HiveJsonSerDe: {} });
    assert.equal((await rowsOf(byDefault, { TS: "2021-05-06 07:08:09.5" }))[0].ts.toISOString(), "2021-05-06T07:08:09.500Z");
    const failed = byDefault.convert(records({ ts: "2021-05-06T07:08:09Z" })).failed;
    assert.equal(failed[0]?.errorCode, "DataFormatConversion.MalformedData");
    const formats = converterOf([["ts", "timestamp"]], { HiveJsonSerDe: { TimestampFormats: ["yyyy-MM-dd'T'HH:mm:ssZ", "dd/MMM/yyyy:HH:mm:ss Z", "millis"] } });
    const rows = await rowsOf(formats, { ts: "2021-05-06T07:08:09+02:00" }, { ts: "10/Oct/2000:13:55:36 -0700" }, { ts: 1620284889000 });
    assert.deepEqual(rows.map((row) => row.ts.toISOString()), ["2021-05-06T05:08:09.000Z", "2000-10-10T20:55:36.000Z", "2021-05-06T07:08:09.000Z"]);
  });

  it("firehose > conversion > serde > concatenated documents in one record are rows; numeric strings and scalars are read as Hive reads them", async () => {
    const converter = converterOf([["n", "int"], ["s", "string"], ["ok", "boolean"]]);
    const rows = await rowsOf(converter, '{"n":1}{"n":2}\n{"n":"3","s":{"x":1},"ok":"TRUE"}', { n: 4.9, s: 12, ok: false });
    assert.deepEqual(rows, [
      { n: 1, s: null, ok: null },
      { n: 2, s: null, ok: null },
      { n: 3, s: '{"x":1}', ok: true },
      { n: 4, s: "12", ok: false },
    ]);
  });

  it("firehose > conversion > serde > a record that is not JSON or does not fit fails alone, format-conversion-failed, with Firehose's codes", async () => {
    const converter = converterOf([["n", "int"], ["person", "struct<name:string>"], ["day", "date"], ["price", "decimal(4,2)"]]);
    const { file, failed, rowCount } = converter.convert(records({ n: 1 }, "{not json", "", "42", { n: "oops" }, { person: 42 }, { day: "yesterday" }, { price: 123.45 }, { n: 2 ** 40 }, "[1,2]"));
    assert.equal(rowCount, 1);
    assert.deepEqual((await readRows(file)).map((row) => row.n), [1]);
    assert.deepEqual(
      failed.map((failure) => [failure.recordId, failure.errorCode, failure.errorMessage, failure.errorOutputType]),
      [
        ["r1", "DataFormatConversion.ParseError", "Encountered malformed JSON.", "format-conversion-failed"],
        ["r2", "DataFormatConversion.MalformedData", "The record was empty or contained only whitespace.", "format-conversion-failed"],
        ["r3", "DataFormatConversion.MalformedData", "The input JSON contained a primitive at the top level. The top level must be an object or array.", "format-conversion-failed"],
        ["r4", "DataFormatConversion.MalformedData", 'Data does not match the schema. For input string: "oops"', "format-conversion-failed"],
        ["r5", "DataFormatConversion.MalformedData", "Data does not match the schema. Data is not JSONObject but java.lang.Long with value 42", "format-conversion-failed"],
        ["r6", "DataFormatConversion.MalformedData", 'Data does not match the schema. Cannot parse "yesterday" as a date', "format-conversion-failed"],
        ["r7", "DataFormatConversion.MalformedData", "Data does not match the schema. Value 123.45 does not fit decimal(4,2)", "format-conversion-failed"],
        ["r8", "DataFormatConversion.MalformedData", "Data does not match the schema. Value 1099511627776 is out of range for int", "format-conversion-failed"],
        ["r9", "DataFormatConversion.MalformedData", "Data does not match the schema. A JSON array at the top level is not a record: send one object per record, or objects one after another.", "format-conversion-failed"],
      ],
    );
    assert.deepEqual(failed[0]!.rawData, Buffer.from("{not json"));
    assert.equal(failed[0]!.approximateArrivalTimestampMs, 1_700_000_000_001);
    const none = converter.convert(records("nope"));
    assert.equal(none.file.length, 0, "no file when no record converted");
  });

  it("firehose > conversion > serde > schemas that cannot be converted, and ORC", () => {
    assert.deepEqual(createConverter(config(), table([])), { errorCode: "DataFormatConversion.NonExistentColumns", error: "The table does not have columns" });
    assert.deepEqual(createConverter(config(), table([["u", "uniontype<int,string>"]])), { errorCode: "DataFormatConversion.InvalidSchema", error: "The schema is invalid. unsupported type uniontype" });
    assert.deepEqual(createConverter(config(), table([["blob", "binary"]])), {
      errorCode: "DataFormatConversion.InvalidSchema",
      error: "The schema is invalid. One or more columns have types that are not supported by org.openx.data.JsonSerDe",
    });
    assert.ok(!("error" in createConverter(config({ HiveJsonSerDe: {} }), table([["blob", "binary"]]))), "Hive's SerDe reads binary (base64)");
    const orc = { ...config(), OutputFormatConfiguration: { Serializer: { OrcSerDe: { Compression: "ZLIB" } } } };
    assert.match(conversionSupportError(orc) ?? "", /^OrcSerDe is not supported by this server/);
    assert.equal(conversionSupportError(config()), undefined);
    assert.equal(conversionSupportError({ ...orc, Enabled: false }), undefined);
  });

  it("firehose > conversion > serde > Hive binary from base64", async () => {
    const { file } = converterOf([["blob", "binary"]], { HiveJsonSerDe: {} }).convert(records({ blob: Buffer.from([0, 1, 255]).toString("base64") }));
    const rows = await readRows(file, { utf8: false });
    assert.deepEqual([...(rows[0]!.blob as Uint8Array)], [0, 1, 255]);
    assert.equal(metadata(file).schema[1]!.type, "BYTE_ARRAY");
    assert.equal(metadata(file).schema[1]!.converted_type, undefined);
  });
});
