/** String and search functions: each reference example with its exact result, plus nulls, errors and types. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { arg, call, context, lit, resolve, resolveError, rowError, symbol, varcharArg } from "./helpers.js";

describe("CHAR_LENGTH / CHARACTER_LENGTH", () => {
  it("counts characters (the reference's examples)", () => {
    assert.equal(call("CHAR_LENGTH", [lit("one")]), 3);
    assert.equal(call("CHAR_LENGTH", [lit("")]), 0);
    assert.equal(call("CHARACTER_LENGTH", [lit("fred")]), 4);
    assert.equal(call("CHARACTER_LENGTH", [varcharArg(null, 16)]), null);
    // CAST('fred' AS CHAR(16)) is blank-padded by the cast, so its length is 16.
    assert.equal(call("CHARACTER_LENGTH", [arg({ name: "CHAR", precision: 16 }, "fred".padEnd(16))]), 16);
    assert.deepEqual(resolve("CHAR_LENGTH", [lit("x")]).type, { name: "INTEGER" });
  });

  it("rejects a number", () => {
    assert.match(resolveError("CHAR_LENGTH", [lit(3)])!, /^Cannot apply 'CHAR_LENGTH' to arguments of type 'CHAR_LENGTH\(<INTEGER>\)'/);
  });
});

describe("INITCAP, LOWER, UPPER", () => {
  it("INITCAP capitalises each space-delimited word", () => {
    assert.equal(call("INITCAP", [lit("Each FIRST lEtTeR is cAPITALIZED")]), "Each First Letter Is Capitalized");
    assert.equal(call("INITCAP", [lit("o'neil  mcDONALD")]), "O'neil  Mcdonald");
    assert.equal(call("INITCAP", [varcharArg(null)]), null);
  });

  it("LOWER and UPPER keep the argument's type", () => {
    assert.equal(call("LOWER", [lit("MiXeD")]), "mixed");
    assert.equal(call("UPPER", [lit("MiXeD")]), "MIXED");
    assert.deepEqual(resolve("UPPER", [varcharArg("x", 16)]).type, { name: "VARCHAR", precision: 16 });
  });
});

describe("OVERLAY", () => {
  const overlay = (from: number, length?: number) =>
    call("OVERLAY", [lit("12345"), lit("foo"), lit(from), ...(length === undefined ? [] : [lit(length)])]);

  it("the reference's examples", () => {
    assert.equal(overlay(1), "foo45");
    assert.equal(overlay(0), "foo345");
    assert.equal(overlay(-2), "foo12345");
    assert.equal(overlay(4), "123foo");
    assert.equal(overlay(17), "12345foo");
    assert.equal(overlay(2, 0), "1foo2345");
    assert.equal(overlay(2, 2), "1foo45");
    assert.equal(overlay(2, 9), "1foo");
  });

  it("null in, null out; a negative length raises", () => {
    assert.equal(call("OVERLAY", [lit("12345"), varcharArg(null), lit(1)]), null);
    assert.equal(rowError("OVERLAY", [lit("12345"), lit("foo"), lit(2), lit(-1)]).errorName, "Substring error");
  });
});

describe("POSITION", () => {
  it("the reference's examples", () => {
    assert.equal(call("POSITION", [lit("findme"), lit("1234findmeXXX")]), 5);
    assert.equal(call("POSITION", [lit("findme"), lit("1234not-hereXXX")]), 0);
    assert.equal(call("POSITION", [lit("1"), lit("1234567")]), 1);
    assert.equal(call("POSITION", [lit("7"), lit("1234567")]), 7);
    assert.equal(call("POSITION", [lit(""), lit("1234567")]), 1);
  });

  it("null either side gives null; FROM starts later", () => {
    assert.equal(call("POSITION", [varcharArg(null), lit("abc")]), null);
    assert.equal(call("POSITION", [lit("a"), varcharArg(null)]), null);
    assert.equal(call("POSITION", [lit("a"), lit("abca"), lit(2)]), 4);
  });

  it("the developer guide's SUBSTRING/POSITION example extracts the company name", () => {
    const referrer = varcharArg("http://www.amazon.com", 32);
    const length = (call("POSITION", [lit(".com"), referrer]) as number) - (call("POSITION", [lit("www."), referrer]) as number) - 4;
    assert.equal(call("SUBSTRING", [referrer, lit(12), lit(length)]), "amazon");
  });
});

describe("REGEX_REPLACE", () => {
  const replace = (text: string, regex: string, replacement: string, start: number, occurrence: number) =>
    call("REGEX_REPLACE", [varcharArg(text), lit(regex), lit(replacement), lit(start), lit(occurrence)]);

  it("replaces every match when occurrence is 0 (the reference's example 1)", () => {
    assert.equal(replace("TECHNOLOGY", "TECHNOLOGY", "INFORMATION TECHNOLOGY", 1, 0), "INFORMATION TECHNOLOGY");
    assert.equal(replace("http://www.amazon.com", "http://", "https://", 1, 0), "https://www.amazon.com");
    assert.equal(replace("a1b22c333", "[0-9]+", "#", 1, 0), "a#b#c#");
  });

  it("replaces only the nth match, searching from startPosition", () => {
    assert.equal(replace("a1b22c333", "[0-9]+", "#", 1, 2), "a1b#c333");
    assert.equal(replace("a1b22c333", "[0-9]+", "#", 4, 1), "a1b#c333");
    assert.equal(replace("aaa", "a", "b", 2, 0), "abb");
  });

  it("Java replacement syntax: $n groups and \\ escapes", () => {
    assert.equal(replace("john smith", "(\\w+) (\\w+)", "$2, $1", 1, 0), "smith, john");
    assert.equal(replace("cost", "cost", "\\$5", 1, 0), "$5");
    assert.equal(replace("abc", "x*", "-", 1, 0), "-a-b-c-");
  });

  it("startPosition past the end returns the original; bad arguments raise", () => {
    assert.equal(replace("abc", "a", "x", 4, 0), "abc");
    assert.equal(rowError("REGEX_REPLACE", [lit("abc"), lit("a"), lit("x"), lit(0), lit(0)]).errorName, "Invalid argument");
    assert.equal(rowError("REGEX_REPLACE", [lit("abc"), lit("a"), lit("x"), lit(1), lit(-1)]).errorName, "Invalid argument");
    assert.equal(rowError("REGEX_REPLACE", [lit("abc"), lit("(a"), lit("x"), lit(1), lit(0)]).errorName, "Invalid regular expression");
    assert.equal(call("REGEX_REPLACE", [varcharArg(null), lit("a"), lit("x"), lit(1), lit(0)]), null);
    assert.deepEqual(resolve("REGEX_REPLACE", [lit("a"), lit("a"), lit("x"), lit(1), lit(0)]).type, { name: "VARCHAR", precision: 65535 });
  });

  it("takes exactly five arguments", () => {
    assert.equal(resolveError("REGEX_REPLACE", [lit("a"), lit("a"), lit("x")]), "Invalid number of arguments to function 'REGEX_REPLACE'. Was expecting 5 arguments");
  });
});

describe("SUBSTRING", () => {
  const substring = (keywordSyntax: boolean) => (start: number, length?: number) =>
    call("SUBSTRING", [lit("123456789"), lit(start), ...(length === undefined ? [] : [lit(length)])], context, { keywordSyntax });
  const from = substring(true);
  const comma = substring(false);

  it("FROM … FOR (the reference's examples)", () => {
    assert.equal(from(3, 4), "3456");
    assert.equal(from(17, 4), "");
    assert.equal(from(-1, 4), "12");
    assert.equal(from(6, 0), "");
    assert.equal(from(8, 4), "89");
    assert.equal(from(3), "3456789");
  });

  it("the comma form (the reference's three examples: past the end is null, not '')", () => {
    assert.equal(comma(3, 4), "3456");
    assert.equal(comma(7, 4), "789");
    assert.equal(comma(10, 4), null);
    assert.equal(comma(-1, 4), "12");
    assert.equal(comma(9, 0), "");
  });

  it("FROM a regular expression returns the first match or null", () => {
    assert.equal(call("SUBSTRING", [lit("TECHNOLOGY"), lit("L[A-Z]*")]), "LOGY");
    assert.equal(call("SUBSTRING", [lit("TECHNOLOGY"), lit("FOO")]), null);
    assert.equal(call("SUBSTRING", [lit("TECHNOLOGY"), lit("O[A-Z]")]), "OL");
  });

  it("SIMILAR … ESCAPE returns what the middle part matches", () => {
    assert.equal(call("SUBSTRING", [lit("123456789"), symbol("SIMILAR"), lit('23#"456#"78'), lit("#")]), "456");
    assert.equal(call("SUBSTRING", [lit("TECHNOLOGY"), symbol("SIMILAR"), lit('TECH%"NOLO%"GY'), lit("%")]), "NOLO");
    assert.equal(call("SUBSTRING", [lit("TECHNOLOGY"), symbol("SIMILAR"), lit('X#"NOLO#"Y'), lit("#")]), null);
  });

  it("nulls, a negative length, the result type", () => {
    assert.equal(call("SUBSTRING", [varcharArg(null), lit(1), lit(2)]), null);
    assert.equal(call("SUBSTRING", [lit("abc"), arg("INTEGER", null), lit(2)]), null);
    assert.equal(rowError("SUBSTRING", [lit("abc"), lit(1), lit(-1)]).errorName, "Substring error");
    assert.deepEqual(resolve("SUBSTRING", [varcharArg("x", 32), lit(1)]).type, { name: "VARCHAR", precision: 32 });
  });
});

describe("TRIM", () => {
  const trim = (side: string, character: string, value: string) => call("TRIM", [symbol(side), lit(character), lit(value)]);

  it("the reference's examples", () => {
    assert.equal(trim("BOTH", " ", "  Trim front and back  "), "Trim front and back");
    assert.equal(trim("LEADING", "x", "xxxTrim frontxxx"), "Trim frontxxx");
    assert.equal(trim("TRAILING", "x", "xxxTrimxBackxxx"), "xxxTrimxBack");
    assert.equal(trim("BOTH", "y", "xxxNo y to trimxxx"), "xxxNo y to trimxxx");
  });

  it("one trim character only; null gives null", () => {
    assert.equal(rowError("TRIM", [symbol("BOTH"), lit("xy"), lit("xyz")]).errorName, "Invalid argument");
    assert.equal(rowError("TRIM", [symbol("BOTH"), lit(""), lit("xyz")]).errorName, "Invalid argument");
    assert.equal(call("TRIM", [symbol("BOTH"), lit(" "), varcharArg(null)]), null);
  });
});
