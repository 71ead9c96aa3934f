/**
 * The log parsing functions: row types decided from the constant arguments, the reference's and the
 * developer guide's examples with exact rows, non-matching lines, typed columns.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { arg, call, lit, resolve, resolveError, rowError, ts, varcharArg } from "./helpers.js";

const varchar1024 = { name: "VARCHAR", precision: 1024 };
const columnsOf = (name: string, args: Parameters<typeof resolve>[1]) => resolve(name, args).type.fields!.map((field) => [field.name, field.type.name]);

describe("REGEX_LOG_PARSE", () => {
  const parse = (text: string, pattern: string) => call("REGEX_LOG_PARSE", [varcharArg(text, 1024), lit(pattern)]);

  it("the reference's example: two capture groups, COLUMN1 and COLUMN2 VARCHAR(1024)", () => {
    assert.deepEqual(parse("ENERGY", ".*([E].).*([R].*)"), ["EN", "RGY"]);
    assert.deepEqual(parse("HEALTHCARE", ".*([E].).*([R].*)"), ["EA", "RE"]);
    assert.equal(parse("TECHNOLOGY", ".*([E].).*([R].*)"), null);
    assert.deepEqual(resolve("REGEX_LOG_PARSE", [varcharArg("x"), lit("(a)(b)")]).type, {
      name: "ROW",
      fields: [
        { name: "COLUMN1", type: varchar1024 },
        { name: "COLUMN2", type: varchar1024 },
      ],
    });
  });

  it("the developer guide's Apache log example", () => {
    const line = '203.0.113.24 - - [25/Mar/2018:15:25:37 -0700] "GET /index.php HTTP/1.1" 200 125 "-" "Mozilla/5.0 [en] Gecko/20100101 Firefox/52.0"';
    assert.deepEqual(parse(line, "(\\w.+) (\\d.+) (\\w.+) (\\w.+)"), [
      '203.0.113.24 - - [25/Mar/2018:15:25:37 -0700] "GET /index.php HTTP/1.1" 200',
      '125 "-" "Mozilla/5.0 [en]',
      "Gecko/20100101",
      'Firefox/52.0"',
    ]);
  });

  it("matches the whole line; a group that did not take part is null; named, typed columns", () => {
    assert.equal(parse("ERROR 42 extra", "ERROR (\\d+)"), null);
    assert.deepEqual(parse("b", "(a)?(b)"), [null, "b"]);
    const row = call("REGEX_LOG_PARSE", [varcharArg("42 at 2004-05-24 22:01:02"), lit("(\\d+) at (.*)"), lit("code INTEGER, at TIMESTAMP")]);
    assert.deepEqual(row, [42, ts("2004-05-24 22:01:02")]);
    assert.deepEqual(columnsOf("REGEX_LOG_PARSE", [varcharArg("x"), lit("(\\d+) at (.*)"), lit('code INTEGER, "at" TIMESTAMP')]), [
      ["CODE", "INTEGER"],
      ["at", "TIMESTAMP"],
    ]);
  });

  it("the pattern must be a literal and compile; columns cannot outnumber groups", () => {
    assert.match(resolveError("REGEX_LOG_PARSE", [varcharArg("x"), varcharArg("(a)")])!, /must be a character literal/);
    assert.match(resolveError("REGEX_LOG_PARSE", [varcharArg("x"), lit("(a")])!, /bad regular expression/);
    assert.match(resolveError("REGEX_LOG_PARSE", [varcharArg("x"), lit("(a)"), lit("a INTEGER, b INTEGER")])!, /names 2 columns but the regular expression has 1 groups/);
    assert.equal(call("REGEX_LOG_PARSE", [varcharArg(null), lit("(a)")]), null);
  });
});

describe("FAST_REGEX_LOG_PARSE", () => {
  const parse = (text: string, pattern: string) => call("FAST_REGEX_LOG_PARSE", [varcharArg(text), lit(pattern)]);

  it("lazy matching without backtracking (the reference's examples B and C)", () => {
    assert.deepEqual(parse("Mary____had_a_little_lamb", "(.*)_+(.*)"), ["Mary", "had_a_little_lamb"]);
    assert.deepEqual(parse("Mary____had_a_little_lamb", "(.*)_+(<Alpha>.*)"), ["Mary", "had_a_little_lamb"]);
  });

  it("no fields when a character is not accounted for (example A; the pattern without its final *)", () => {
    assert.equal(rowError("FAST_REGEX_LOG_PARSE", [varcharArg("Mary_had_a_little_lamb"), lit("(.*)_+(._.*)")]).errorName, "No match");
    assert.equal(rowError("FAST_REGEX_LOG_PARSE", [varcharArg("Mary_had_a_little_lamb"), lit("(.*)_(._.*)_.")]).errorName, "No match");
  });

  it("the first example's first column; fixed-length delimiters end each lazy field", () => {
    assert.equal((parse("Mary_had_a_little_lamb", "(.*)_(._.*)_.*") as string[])[0], "Mary_had");
    assert.deepEqual(parse("192.168.1.1 - GET /a", '(<Digit>+"."<Digit>+\\.<Digit>+\\.<Digit>+) - ([A-Z]+) (.*)'), ["192.168.1.1", "GET", "/a"]);
    assert.deepEqual(parse("x=17;y=009", "x=(<0-99>);y=(<000-100>)"), ["17", "009"]);
    assert.deepEqual(parse("ab", "([^b]*)(b)"), ["a", "b"]);
  });

  it("COLUMN1…n VARCHAR(1024); the FAST_REGEX_LOG_PARSER spelling; bad patterns fail to compile", () => {
    assert.deepEqual(columnsOf("FAST_REGEX_LOG_PARSER", [varcharArg("x"), lit("(a)(b)(c)")]), [
      ["COLUMN1", "VARCHAR"],
      ["COLUMN2", "VARCHAR"],
      ["COLUMN3", "VARCHAR"],
    ]);
    assert.match(resolveError("FAST_REGEX_LOG_PARSE", [varcharArg("x"), lit("(a")])!, /bad fast regex/);
    assert.match(resolveError("FAST_REGEX_LOG_PARSE", [varcharArg("x"), lit("a&b")])!, /Intersection/);
  });
});

describe("VARIABLE_COLUMN_LOG_PARSE", () => {
  it("the developer guide's example: named VARCHAR(16) columns from comma-separated values", () => {
    const columns = lit("COL_1 TYPE VARCHAR(16), COL_2 TYPE VARCHAR(16), COL_3 TYPE VARCHAR(16)");
    assert.deepEqual(call("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("x,y,z"), columns, lit(",")]), ["x", "y", "z"]);
    assert.deepEqual(resolve("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("x"), columns, lit(",")]).type.fields![0], {
      name: "COL_1",
      type: { name: "VARCHAR", precision: 16 },
    });
  });

  it("a number of columns gives COLUMN1…n VARCHAR(1024); missing fields are null, extra ones ignored", () => {
    assert.deepEqual(call("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("a\tb"), lit(3), lit("\t")]), ["a", "b", null]);
    assert.deepEqual(call("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("a::b::c"), lit(2), lit("::")]), ["a", "b"]);
    assert.deepEqual(columnsOf("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("x"), lit(2), lit(",")]), [
      ["COLUMN1", "VARCHAR"],
      ["COLUMN2", "VARCHAR"],
    ]);
  });

  it("the escape string keeps a delimiter in a field; quotes hide delimiters (the reference's description)", () => {
    assert.deepEqual(call("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("a,b"), lit(2), lit(","), lit("\\"), lit("")]), ["a", "b"]);
    assert.deepEqual(call("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("a\\,b"), lit(2), lit(","), lit("\\"), lit("")]), ["a,b", null]);
    assert.deepEqual(call("VARIABLE_COLUMN_LOG_PARSE", [varcharArg('a,"b,c",d'), lit(3), lit(","), lit(""), lit('"')]), ["a", "b,c", "d"]);
    assert.deepEqual(call("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("a,[b,c],d"), lit(3), lit(","), lit(""), lit("[]")]), ["a", "b,c", "d"]);
  });

  it("typed columns with a date format; conversion failures and NOT NULL raise", () => {
    const columns = lit("n TYPE INTEGER, at TYPE TIMESTAMP 'dd/MMM/yyyy:HH:mm:ss', ok TYPE BOOLEAN, price TYPE DECIMAL(8,2) NOT NULL");
    assert.deepEqual(call("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("42|24/May/2004:22:01:02|true|3.145"), columns, lit("|")]), [
      42,
      ts("2004-05-24 22:01:02"),
      true,
      3.15,
    ]);
    assert.equal(rowError("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("4x|24/May/2004:22:01:02|true|1"), columns, lit("|")]).errorName, "Invalid character value for cast");
    assert.equal(rowError("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("4|24/May/2004:22:01:02|true|"), columns, lit("|")]).errorName, "Null value not allowed");
    assert.equal(rowError("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("4|2004-05-24|true|1"), columns, lit("|")]).errorName, "Invalid datetime format");
    assert.deepEqual(call("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("|24/May/2004:22:01:02||1"), columns, lit("|")]), [null, ts("2004-05-24 22:01:02"), null, 1]);
  });

  it("the columns must be a literal; bad lists fail to compile", () => {
    assert.match(resolveError("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("x"), varcharArg("a TYPE INTEGER"), lit(",")])!, /must be a literal/);
    assert.match(resolveError("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("x"), lit("a INTEGER"), lit(",")])!, /expected TYPE after A/);
    assert.match(resolveError("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("x"), lit("a TYPE BLOB"), lit(",")])!, /unknown data type BLOB/);
    assert.match(resolveError("VARIABLE_COLUMN_LOG_PARSE", [varcharArg("x"), lit(0), lit(",")])!, /number of columns must be 1/);
  });
});

describe("FIXED_COLUMN_LOG_PARSE", () => {
  it("columns from START (0-based) FOR a width, converted to their types", () => {
    const columns = lit("host TYPE VARCHAR(8) START 0 FOR 8, code TYPE INTEGER START 8 FOR 4, at TYPE TIMESTAMP 'yyyyMMddHHmmss' START 12 FOR 14, rest TYPE VARCHAR(20) START 26");
    assert.deepEqual(call("FIXED_COLUMN_LOG_PARSE", [varcharArg("server01 20020040524220102tail"), columns]), [
      "server01",
      200,
      ts("2004-05-24 22:01:02"),
      "tail",
    ]);
    assert.deepEqual(call("FIXED_COLUMN_LOG_PARSE", [varcharArg("server01 200"), columns]), ["server01", 200, null, null]);
    assert.deepEqual(columnsOf("FIXED_COLUMN_LOG_PARSE", [varcharArg("x"), columns]), [
      ["HOST", "VARCHAR"],
      ["CODE", "INTEGER"],
      ["AT", "TIMESTAMP"],
      ["REST", "VARCHAR"],
    ]);
    assert.match(resolveError("FIXED_COLUMN_LOG_PARSE", [varcharArg("x"), lit("a TYPE INTEGER")])!, /expected START/);
  });
});

describe("W3C_LOG_PARSE", () => {
  const line = '192.168.254.30 - John [24/May/2004:22:01:02 -0700] "GET /icons/apache_pb.gif HTTP/1.1" 304 0';

  it("COMMON: the reference's example output, seven VARCHAR(1024) columns", () => {
    assert.deepEqual(call("W3C_LOG_PARSE", [varcharArg(line, 1024), lit("COMMON")]), [
      "192.168.254.30",
      "-",
      "John",
      "[24/May/2004:22:01:02 -0700]",
      "GET /icons/apache_pb.gif HTTP/1.1",
      "304",
      "0",
    ]);
    assert.equal(resolve("W3C_LOG_PARSE", [varcharArg("x"), lit("COMMON")]).type.fields!.length, 7);
  });

  it("the same by specifiers; [%t] drops the brackets", () => {
    assert.deepEqual(call("W3C_LOG_PARSE", [varcharArg(line), lit('%h %l %u %t "%r" %>s %b')]), call("W3C_LOG_PARSE", [varcharArg(line), lit("COMMON")]));
    assert.equal((call("W3C_LOG_PARSE", [varcharArg(line), lit('%h %l %u [%t] "%r" %>s %b')]) as string[])[3], "24/May/2004:22:01:02 -0700");
  });

  it("NCSA EXTENDED with referer and agent; a line that does not fit is null", () => {
    const combined = `${line} "http://example.com/" "Mozilla/5.0 (X11)"`;
    assert.deepEqual((call("W3C_LOG_PARSE", [varcharArg(combined), lit("NCSA EXTENDED")]) as string[]).slice(7), ["http://example.com/", "Mozilla/5.0 (X11)"]);
    assert.equal(call("W3C_LOG_PARSE", [varcharArg("not a log line"), lit("COMMON")]), null);
    assert.match(resolveError("W3C_LOG_PARSE", [varcharArg("x"), lit("IIS")])!, /IIS format is not supported/);
  });
});

describe("SYS_LOG_PARSE", () => {
  it("COLUMN1 TIMESTAMP (year 1970: the layout has none), COLUMN2 the rest", () => {
    assert.deepEqual(call("SYS_LOG_PARSE", [varcharArg("Mar  7 04:02:09 myhost sshd[123]: Accepted publickey")]), [
      ts("1970-03-07 04:02:09"),
      "myhost sshd[123]: Accepted publickey",
    ]);
    assert.deepEqual(columnsOf("SYS_LOG_PARSE", [varcharArg("x")]), [
      ["COLUMN1", "TIMESTAMP"],
      ["COLUMN2", "VARCHAR"],
    ]);
    assert.equal(call("SYS_LOG_PARSE", [varcharArg("garbage")]), null);
    assert.equal(call("SYS_LOG_PARSE", [arg({ name: "VARCHAR", precision: 8 }, null)]), null);
  });
});
