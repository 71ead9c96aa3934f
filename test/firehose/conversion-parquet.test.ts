/**
 * JSON → Parquet of every Hive type (nested ones and nulls included), read back by two readers
 * that are not the writer: hyparquet (JS) and DuckDB (C++), with the right types and rows.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createConverter, type Converter } from "../../src/firehose/conversion/index.js";
import { config, duckRead, metadata, readRows, records, table } from "./conversion-helpers.js";

const allTypes: [string, string][] = [
  ["s", "string"],
  ["i", "int"],
  ["b", "bigint"],
  ["sm", "smallint"],
  ["ti", "tinyint"],
  ["d", "double"],
  ["f", "float"],
  ["flag", "boolean"],
  ["ts", "timestamp"],
  ["day", "date"],
  ["price", "decimal(10,2)"],
  ["big", "decimal(30,4)"],
  ["tags", "array<string>"],
  ["attrs", "map<string,int>"],
  ["person", "struct<name:string,age:int,emails:array<string>,address:struct<city:string,zip:int>>"],
  ["matrix", "array<array<bigint>>"],
  ["items", "array<struct<sku:string,qty:int>>"],
  ["v", "varchar(10)"],
];

function converterOf(columns: [string, string][], deserializer?: object, parquet?: object): Converter {
  const converter = createConverter(config(deserializer, parquet), table(columns));
  assert.ok(!("error" in converter), JSON.stringify(converter));
  return converter;
}

const full = {
  s: "hello",
  i: 42,
  b: "9007199254740993",
  sm: -300,
  ti: 7,
  d: 3.5,
  f: 1.25,
  flag: true,
  ts: "2024-02-29T12:34:56.789Z",
  day: "2024-03-01",
  price: 12.345,
  big: "12345678901234567890.12345",
  tags: ["a", null, "c"],
  attrs: { x: 1, y: null },
  person: { name: "Ann", age: 30, emails: ["ann@example.com"], address: { city: "Oslo", zip: 150 } },
  matrix: [[1, 2], [], [3]],
  items: [{ sku: "k1", qty: 2 }, { sku: "k2" }],
  v: "short",
};

describe("firehose > conversion > parquet", () => {
  it("firehose > conversion > parquet > every type, nested and null, reads back with hyparquet", async () => {
    const converter = converterOf(allTypes);
    const { file, failed, rowCount } = converter.convert(records(full, {}, { s: null, tags: [], attrs: {}, person: { name: "Bo" } }));
    assert.deepEqual(failed, []);
    assert.equal(rowCount, 3);
    assert.equal(file.subarray(0, 4).toString(), "PAR1");
    const rows = await readRows(file);
    assert.equal(rows.length, 3);
    const [first, empty, sparse] = rows as any[];
    assert.equal(first.s, "hello");
    assert.equal(first.i, 42);
    assert.equal(first.b, 9007199254740993n);
    assert.equal(first.sm, -300);
    assert.equal(first.ti, 7);
    assert.equal(first.d, 3.5);
    assert.equal(first.f, 1.25);
    assert.equal(first.flag, true);
    assert.deepEqual(first.ts, new Date("2024-02-29T12:34:56.789Z"));
    assert.deepEqual(first.day, new Date("2024-03-01T00:00:00Z"));
    assert.equal(first.price, 12.35, "rounded half-up to the scale");
    assert.deepEqual(first.tags, ["a", null, "c"]);
    assert.deepEqual(first.attrs, { x: 1, y: null });
    assert.deepEqual(first.person, { name: "Ann", age: 30, emails: ["ann@example.com"], address: { city: "Oslo", zip: 150 } });
    assert.deepEqual(first.matrix, [[1n, 2n], [], [3n]]);
    assert.deepEqual(first.items, [{ sku: "k1", qty: 2 }, { sku: "k2", qty: null }]);
    assert.equal(first.v, "short");
    for (const [name] of allTypes) assert.equal(empty[name] ?? null, null, `${name} of an empty object is null`);
    assert.equal(sparse.s, null);
    assert.deepEqual(sparse.tags, []);
    assert.deepEqual(sparse.attrs, {});
    assert.equal(sparse.person.name, "Bo");
    assert.equal(sparse.person.age ?? null, null);
  });

  it("firehose > conversion > parquet > DuckDB reads the same file with Hive's types and values", async () => {
    const { file } = converterOf(allTypes).convert(records(full, { i: 1 }));
    const { types, rows } = await duckRead(file);
    assert.deepEqual(types, {
      s: "VARCHAR",
      i: "INTEGER",
      b: "BIGINT",
      sm: "SMALLINT",
      ti: "TINYINT",
      d: "DOUBLE",
      f: "FLOAT",
      flag: "BOOLEAN",
      ts: "TIMESTAMP",
      day: "DATE",
      price: "DECIMAL(10,2)",
      big: "DECIMAL(30,4)",
      tags: "VARCHAR[]",
      attrs: "MAP(VARCHAR, INTEGER)",
      person: "STRUCT(\"name\" VARCHAR, age INTEGER, emails VARCHAR[], address STRUCT(city VARCHAR, zip INTEGER))",
      matrix: "BIGINT[][]",
      items: "STRUCT(sku VARCHAR, qty INTEGER)[]",
      v: "VARCHAR",
    });
    const row = rows[0] as any;
    assert.equal(row.b, "9007199254740993");
    assert.equal(row.ts, "2024-02-29 12:34:56.789");
    assert.equal(row.day, "2024-03-01");
    assert.equal(row.price, "12.35");
    assert.equal(row.big, "12345678901234567890.1235");
    assert.deepEqual(row.person, { name: "Ann", age: 30, emails: ["ann@example.com"], address: { city: "Oslo", zip: 150 } });
    assert.deepEqual(row.items, [{ sku: "k1", qty: 2 }, { sku: "k2", qty: null }]);
    assert.equal((rows[1] as any).i, 1);
    assert.equal((rows[1] as any).person, null);
  });

  it("firehose > conversion > parquet > Compression is the codec in every column chunk; page and dictionary options", async () => {
    const many = records(...Array.from({ length: 2000 }, (_, index) => ({ s: `value-${index % 3}`, i: index })));
    const columns: [string, string][] = [["s", "string"], ["i", "int"]];
    for (const [compression, codec] of [[undefined, "SNAPPY"], ["SNAPPY", "SNAPPY"], ["GZIP", "GZIP"], ["UNCOMPRESSED", "UNCOMPRESSED"]] as const) {
      const { file } = converterOf(columns, undefined, compression === undefined ? {} : { Compression: compression }).convert(many);
      const chunks = metadata(file).row_groups.flatMap((group) => group.columns.map((column) => column.meta_data!.codec));
      assert.ok(chunks.length > 0 && chunks.every((chunk) => chunk === codec), `${compression}: ${chunks}`);
      const rows = await readRows(file);
      assert.equal(rows.length, 2000);
      assert.equal(rows[1999]!.s, "value-1");
    }
    const plain = metadata(converterOf(columns, undefined, { EnableDictionaryCompression: false }).convert(many).file);
    assert.ok(plain.row_groups[0]!.columns.every((column) => column.meta_data!.dictionary_page_offset === undefined));
    const withDictionary = metadata(converterOf(columns, undefined, { EnableDictionaryCompression: true }).convert(many).file);
    assert.ok(withDictionary.row_groups[0]!.columns[0]!.meta_data!.encodings.includes("RLE_DICTIONARY"));
    // BlockSizeBytes sizes row groups: at its 64 MiB minimum every row of this batch fits one.
    assert.equal(metadata(converterOf(columns, undefined, { BlockSizeBytes: 64 * 1024 * 1024 }).convert(many).file).row_groups.length, 1);
    assert.equal((await readRows(converterOf(columns, undefined, { PageSizeBytes: 65536 }).convert(many).file)).length, 2000);
  });
});
