/** Numeric functions: the reference's examples with exact results, nulls, errors and result types. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { arg, call, dayInterval, intervalArg, lit, monthInterval, resolve, resolveError, rowError, symbol, timestampArg, ts } from "./helpers.js";

describe("ABS", () => {
  it("the reference's examples", () => {
    assert.equal(call("ABS", [lit(2.0)]), 2);
    assert.equal(call("ABS", [lit(-1.5)]), 1.5);
    assert.equal(call("ABS", [lit(0)]), 0);
    assert.equal(call("ABS", [lit(-9)]), 9);
    // ABS(INTERVAL '-3 4:20' DAY TO MINUTE) is INTERVAL '3 4:20' DAY TO MINUTE.
    const ms = (3 * 24 * 60 + 4 * 60 + 20) * 60_000;
    assert.deepEqual(call("ABS", [intervalArg(dayInterval(-ms))]), dayInterval(ms));
    assert.deepEqual(call("ABS", [intervalArg(monthInterval(-14))]), monthInterval(14));
  });

  it("keeps the argument's type; null gives null; no strings", () => {
    assert.deepEqual(resolve("ABS", [lit(-1.5)]).type, { name: "DECIMAL", precision: 2, scale: 1 });
    assert.equal(call("ABS", [arg("DOUBLE", null)]), null);
    assert.match(resolveError("ABS", [lit("x")])!, /Supported form\(s\): 'ABS\(<NUMERIC>\)'\n'ABS\(<DATETIME_INTERVAL>\)'/);
  });
});

describe("CEIL / CEILING and FLOOR", () => {
  it("numbers (the reference's examples)", () => {
    assert.equal(call("CEIL", [lit(2.0)]), 2);
    assert.equal(call("CEIL", [lit(-1.0)]), -1);
    assert.equal(call("CEIL", [lit(5.2)]), 6);
    assert.equal(call("CEILING", [lit(-3.3)]), -3);
    assert.equal(call("CEILING", [arg({ name: "DECIMAL", precision: 3, scale: 1 }, -9.3)]), -9);
    assert.equal(call("FLOOR", [lit(2.0)]), 2);
    assert.equal(call("FLOOR", [lit(-1.0)]), -1);
    assert.equal(call("FLOOR", [lit(5.2)]), 5);
    assert.equal(call("FLOOR", [lit(-3.3)]), -4);
    assert.equal(call("FLOOR", [arg({ name: "DECIMAL", precision: 3, scale: 1 }, -9.3)]), -10);
    assert.ok(Object.is(call("CEIL", [lit(-0.5)]), 0), "no negative zero");
  });

  it("timestamps TO a unit (the reference's examples)", () => {
    const at = timestampArg("2004-09-30 13:48:23");
    assert.equal(call("CEIL", [at, symbol("HOUR")]), ts("2004-09-30 14:00:00"));
    assert.equal(call("CEIL", [at, symbol("MINUTE")]), ts("2004-09-30 13:49:00"));
    assert.equal(call("CEIL", [at, symbol("DAY")]), ts("2004-10-01 00:00:00"));
    assert.equal(call("CEIL", [at, symbol("YEAR")]), ts("2005-01-01 00:00:00"));
    assert.equal(call("FLOOR", [at, symbol("HOUR")]), ts("2004-09-30 13:00:00"));
    assert.equal(call("FLOOR", [at, symbol("MINUTE")]), ts("2004-09-30 13:48:00"));
    assert.equal(call("FLOOR", [at, symbol("DAY")]), ts("2004-09-30 00:00:00"));
    assert.equal(call("FLOOR", [at, symbol("YEAR")]), ts("2004-01-01 00:00:00"));
    assert.equal(call("FLOOR", [at, symbol("MONTH")]), ts("2004-09-01 00:00:00"));
    assert.equal(call("CEIL", [timestampArg("2004-12-31 23:00:01"), symbol("MONTH")]), ts("2005-01-01 00:00:00"));
    assert.equal(call("CEIL", [timestampArg("2004-09-30 13:00:00"), symbol("HOUR")]), ts("2004-09-30 13:00:00"));
    assert.equal(call("FLOOR", [timestampArg("1969-12-31 23:59:59.500"), symbol("SECOND")]), ts("1969-12-31 23:59:59"));
  });

  it("types: DECIMAL loses its scale, a timestamp stays a timestamp; TIME only to hours and below", () => {
    assert.deepEqual(resolve("FLOOR", [lit(5.25)]).type, { name: "DECIMAL", precision: 3, scale: 0 });
    assert.deepEqual(resolve("CEIL", [arg("DOUBLE", 1)]).type, { name: "DOUBLE" });
    assert.deepEqual(resolve("FLOOR", [timestampArg(null), symbol("MINUTE")]).type, { name: "TIMESTAMP", precision: 3 });
    assert.equal(call("FLOOR", [arg("TIME", 13 * 3_600_000 + 5 * 60_000), symbol("HOUR")]), 13 * 3_600_000);
    assert.match(resolveError("FLOOR", [arg("TIME", 0), symbol("YEAR")])!, /TIME to YEAR/);
    assert.match(resolveError("FLOOR", [timestampArg(null), symbol("WEEK")])!, /time unit WEEK/);
    assert.equal(call("FLOOR", [timestampArg(null), symbol("HOUR")]), null);
  });
});

describe("EXP, LN, LOG10", () => {
  it("EXP as Java computes it (the reference's examples)", () => {
    assert.equal(call("EXP", [lit(1)]), 2.7182818284590455);
    assert.equal(call("EXP", [lit(0)]), 1);
    assert.equal(call("EXP", [lit(-1)]), 0.36787944117144233);
    assert.equal(call("EXP", [lit(10)]), 22026.465794806718);
    assert.equal(call("EXP", [lit(2.5)]), 12.182493960703473);
    assert.deepEqual(resolve("EXP", [lit(1)]).type, { name: "DOUBLE" });
  });

  it("LN and LOG10 (the reference's examples); 0 or negative raises", () => {
    assert.equal(call("LN", [lit(1)]), 0);
    assert.equal(call("LN", [lit(10)]), 2.302585092994046);
    assert.equal(call("LN", [lit(2.5)]), 0.9162907318741551);
    assert.equal(call("LOG10", [lit(1)]), 0);
    assert.equal(call("LOG10", [lit(100)]), 2);
    assert.equal(call("LOG10", [arg({ name: "DECIMAL", precision: 19, scale: 0 }, 23)]), 1.3617278360175928);
    assert.equal(rowError("LN", [lit(0)]).errorName, "Invalid argument");
    assert.equal(rowError("LOG10", [lit(-1)]).errorName, "Invalid argument");
    assert.equal(call("LN", [arg("DOUBLE", null)]), null);
  });
});

describe("MOD", () => {
  it("the reference's examples", () => {
    assert.equal(call("MOD", [lit(4), lit(2)]), 0);
    assert.equal(call("MOD", [lit(5), lit(3)]), 2);
    assert.equal(call("MOD", [lit(-4), lit(3)]), -1);
    assert.equal(call("MOD", [lit(5), lit(12)]), 5);
  });

  it("integers only; a zero divisor raises; the divisor's type", () => {
    assert.match(resolveError("MOD", [lit(5.5), lit(2)])!, /^Cannot apply 'MOD'/);
    assert.equal(rowError("MOD", [lit(5), lit(0)]).errorName, "Division by zero");
    assert.deepEqual(resolve("MOD", [lit(5), arg("BIGINT", 3)]).type, { name: "BIGINT" });
    assert.equal(call("MOD", [arg("INTEGER", null), lit(3)]), null);
  });
});

describe("POWER", () => {
  it("the reference's examples", () => {
    assert.equal(call("POWER", [lit(3), lit(2)]), 9);
    assert.equal(call("POWER", [lit(-2), lit(3)]), -8);
    assert.equal(call("POWER", [lit(4), lit(-2)]), 0.0625);
    assert.equal(call("POWER", [lit(10.1), lit(2.5)]), 324.19285157140644);
  });

  it("raises for 0 to a negative power and a negative base to a fraction", () => {
    assert.equal(rowError("POWER", [lit(0), lit(-1)]).errorName, "Invalid argument");
    assert.equal(rowError("POWER", [lit(-8), lit(0.5)]).errorName, "Invalid argument");
    assert.equal(call("POWER", [lit(2), arg("INTEGER", null)]), null);
  });
});

describe("STEP", () => {
  it("integers (the reference's examples)", () => {
    assert.equal(call("STEP", [lit(23), lit(5)]), 20);
    assert.equal(call("STEP", [lit(30), lit(10)]), 30);
    assert.equal(call("STEP", [lit(-23), lit(5)]), -25);
    assert.deepEqual(resolve("STEP", [arg("BIGINT", 1), lit(5)]).type, { name: "BIGINT" });
  });

  it("timestamps by an interval", () => {
    const at = timestampArg("2004-09-30 13:48:23");
    assert.equal(call("STEP", [at, intervalArg(dayInterval(10_000))]), ts("2004-09-30 13:48:20"));
    assert.equal(call("STEP", [at, intervalArg(dayInterval(60_000))]), ts("2004-09-30 13:48:00"));
    assert.equal(call("STEP", [at, intervalArg(dayInterval(30 * 60_000))]), ts("2004-09-30 13:30:00"));
    assert.equal(call("STEP", [at, intervalArg(dayInterval(86_400_000))]), ts("2004-09-30 00:00:00"));
    assert.equal(call("STEP", [at, intervalArg(monthInterval(1))]), ts("2004-09-01 00:00:00"));
    assert.equal(call("STEP", [at, intervalArg(monthInterval(12))]), ts("2004-01-01 00:00:00"));
    assert.equal(call("STEP", [at, intervalArg(monthInterval(5))]), ts("2004-08-01 00:00:00"));
  });

  it("nulls give null; a non-positive step raises; mismatched kinds are rejected", () => {
    assert.equal(call("STEP", [timestampArg(null), intervalArg(dayInterval(1000))]), null);
    assert.equal(rowError("STEP", [timestampArg("2004-09-30 13:48:23"), intervalArg(dayInterval(0))]).errorName, "Invalid argument");
    assert.equal(rowError("STEP", [lit(23), lit(0)]).errorName, "Division by zero");
    assert.match(resolveError("STEP", [lit(23), intervalArg(dayInterval(1000))])!, /^Cannot apply 'STEP'/);
    assert.match(resolveError("STEP", [timestampArg(null), lit(5)])!, /^Cannot apply 'STEP'/);
  });
});
