import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SqlRuntimeError } from "../../../src/analytics/sql/types.js";
import { aggregateFunctions, ignoreNullsAggregates } from "../../../src/analytics/sql/functions/aggregate/index.js";
import { BIGINT, DECIMAL, DOUBLE, INTEGER, REAL, TIMESTAMP, VARCHAR, resolveAggregate, resolveError } from "./harness.js";

function run(name: string, type: Parameters<typeof resolveAggregate>[1], values: unknown[], distinct = false) {
  const implementation = resolveAggregate(name, type, { distinct });
  const accumulator = implementation.create();
  for (const value of values) accumulator.add(Array.isArray(value) ? value : [value as never]);
  return { implementation, accumulator, result: accumulator.result() };
}

describe("analytics > aggregate > the reference's list", () => {
  it("registers every aggregate of the reference, and only once", () => {
    const names = aggregateFunctions.map((fn) => fn.name);
    for (const name of ["AVG", "COUNT", "EXP_AVG", "FIRST_VALUE", "LAST_VALUE", "MAX", "MIN", "SUM", "STDDEV_POP", "STDDEV_SAMP", "STD_DEV", "VAR_POP", "VAR_SAMP"]) {
      assert.ok(names.includes(name), name);
    }
    assert.equal(new Set(names).size, names.length);
  });
});

describe("analytics > aggregate > COUNT", () => {
  it("COUNT(*) counts every row, nulls included; COUNT(x) skips null x", () => {
    const star = resolveAggregate("COUNT", []).create();
    const column = resolveAggregate("COUNT", [INTEGER]).create();
    for (const value of [1, null, 3, null]) {
      star.add([]);
      column.add([value]);
    }
    assert.equal(star.result(), 4);
    assert.equal(column.result(), 2);
  });

  it("is BIGINT and counts 0 for an empty group", () => {
    const implementation = resolveAggregate("COUNT", [INTEGER]);
    assert.equal(implementation.type.name, "BIGINT");
    assert.equal(implementation.create().result(), 0);
  });

  it("COUNT(DISTINCT x) counts distinct non-null values, through removals", () => {
    const { accumulator } = run("COUNT", [VARCHAR(4)], ["AMZN", "AAPL", "AMZN", null, "AMZN"], true);
    assert.equal(accumulator.result(), 2);
    accumulator.remove(["AMZN"]);
    accumulator.remove(["AMZN"]);
    assert.equal(accumulator.result(), 2);
    accumulator.remove(["AMZN"]);
    assert.equal(accumulator.result(), 1);
  });

  it("rejects COUNT(DISTINCT *)", () => {
    assert.match(resolveError("COUNT", [], true), /DISTINCT/);
  });
});

describe("analytics > aggregate > SUM and AVG", () => {
  it("keep the argument's type: AVG of INTEGER is an INTEGER, SUM of DECIMAL(10, 2) a DECIMAL(10, 2)", () => {
    assert.deepEqual(resolveAggregate("AVG", [INTEGER]).type, { name: "INTEGER", nullable: true });
    assert.deepEqual(resolveAggregate("SUM", [DOUBLE]).type, { name: "DOUBLE", nullable: true });
    assert.deepEqual(resolveAggregate("SUM", [DECIMAL(10, 2)]).type, { name: "DECIMAL", precision: 10, scale: 2, nullable: true });
    assert.deepEqual(resolveAggregate("SUM", [REAL]).type, { name: "REAL", nullable: true });
  });

  it("AVG of integers truncates toward zero", () => {
    assert.equal(run("AVG", [INTEGER], [1, 2]).result, 1);
    assert.equal(run("AVG", [INTEGER], [-1, -2]).result, -1);
    assert.equal(run("AVG", [INTEGER], [1, 2, 4, null]).result, 2);
  });

  it("AVG of DECIMAL rounds half away from zero at its scale", () => {
    assert.equal(run("AVG", [DECIMAL(10, 2)], [0.01, 0.02]).result, 0.02);
    assert.equal(run("AVG", [DECIMAL(10, 2)], [-0.01, -0.02]).result, -0.02);
    assert.equal(run("AVG", [DECIMAL(10, 2)], [1, 2, 2]).result, 1.67);
  });

  it("SUM of DECIMAL is exact where doubles are not", () => {
    const sum = run("SUM", [DECIMAL(10, 1)], [0.1, 0.2, 0.7]);
    assert.equal(sum.result, 1);
    sum.accumulator.remove([0.7]);
    assert.equal(sum.accumulator.result(), 0.3);
  });

  it("AVG of DOUBLE divides", () => {
    assert.equal(run("AVG", [DOUBLE], [1, 2]).result, 1.5);
  });

  it("ignore nulls and give null for a group with no value", () => {
    assert.equal(run("SUM", [INTEGER], [null, null]).result, null);
    assert.equal(run("AVG", [DOUBLE], []).result, null);
    assert.equal(run("SUM", [INTEGER], [null, 5, null]).result, 5);
  });

  it("SUM(DISTINCT x) and AVG(DISTINCT x) add each value once", () => {
    assert.equal(run("SUM", [INTEGER], [10, 10, 0, 10], true).result, 10);
    assert.equal(run("AVG", [DOUBLE], [10, 10, 10, 0], true).result, 5);
  });

  it("SUM of small integer types is a BIGINT, so it does not overflow their range", () => {
    const implementation = resolveAggregate("SUM", [{ name: "TINYINT" }]);
    assert.deepEqual(implementation.type, { name: "BIGINT", nullable: true });
    const accumulator = implementation.create();
    for (let i = 0; i < 10; i++) accumulator.add([127]);
    assert.equal(accumulator.result(), 1270);
    assert.equal(resolveAggregate("SUM", [INTEGER]).type.name, "BIGINT");
  });

  it("a sum beyond BIGINT, or an average beyond its type, is a row-level overflow error", () => {
    const accumulator = resolveAggregate("SUM", [BIGINT]).create();
    accumulator.add([2 ** 63]);
    accumulator.add([2 ** 62]);
    assert.throws(() => accumulator.result(), (error: unknown) => error instanceof SqlRuntimeError && error.errorName === "Overflow");
    accumulator.remove([2 ** 62]);
    accumulator.remove([2 ** 63]);
    accumulator.add([5]);
    assert.equal(accumulator.result(), 5);
  });

  it("a large double leaving a sliding sum leaves the small ones exact", () => {
    const { accumulator } = run("SUM", [DOUBLE], [1e20, 1, 2]);
    accumulator.remove([1e20]);
    assert.equal(accumulator.result(), 3);
  });

  it("an infinity leaving the window leaves a finite sum", () => {
    const { accumulator } = run("SUM", [DOUBLE], [Number.POSITIVE_INFINITY, 1.5]);
    assert.equal(accumulator.result(), Number.POSITIVE_INFINITY);
    accumulator.remove([Number.POSITIVE_INFINITY]);
    assert.equal(accumulator.result(), 1.5);
  });

  it("reject non-numeric arguments with the validator's message", () => {
    assert.equal(
      resolveError("SUM", [VARCHAR(4)]),
      "Cannot apply 'SUM' to arguments of type 'SUM(<VARCHAR(4)>)'. Supported form(s): 'SUM(<NUMERIC>)'",
    );
    assert.match(resolveError("AVG", [INTEGER, INTEGER]), /Invalid number of arguments to function 'AVG'/);
  });
});

describe("analytics > aggregate > MIN and MAX", () => {
  it("order numbers, strings and timestamps, ignoring nulls", () => {
    assert.equal(run("MIN", [INTEGER], [5, null, -3, 8]).result, -3);
    assert.equal(run("MAX", [INTEGER], [5, null, -3, 8]).result, 8);
    assert.equal(run("MIN", [VARCHAR(8)], ["pear", "apple", "fig"]).result, "apple");
    assert.equal(run("MAX", [TIMESTAMP], [1_000, 3_000, 2_000]).result, 3_000);
    assert.equal(run("MAX", [INTEGER], [null]).result, null);
  });

  it("keep the argument's type", () => {
    assert.deepEqual(resolveAggregate("MAX", [VARCHAR(4)]).type, { name: "VARCHAR", precision: 4, nullable: true });
  });

  it("survive the extreme leaving, duplicates of it included, rows leaving oldest first", () => {
    const { accumulator } = run("MAX", [INTEGER], [9, 3, 9, 1]);
    accumulator.remove([9]);
    assert.equal(accumulator.result(), 9, "the second 9 is still in");
    accumulator.remove([3]);
    accumulator.remove([9]);
    assert.equal(accumulator.result(), 1);
    accumulator.remove([1]);
    assert.equal(accumulator.result(), null);
    accumulator.add([4]);
    assert.equal(accumulator.result(), 4);
  });

  it("keep only the values that can still be the extreme", () => {
    const implementation = resolveAggregate("MIN", [INTEGER]);
    const accumulator = implementation.create();
    for (let i = 1_000; i > 0; i--) accumulator.add([i]);
    for (let i = 1; i <= 1_000; i++) accumulator.add([i]);
    // Each new value drops the larger ones before it: the last 1,000 rows leave one candidate each.
    assert.equal((accumulator.snapshot() as { entries: unknown[] }).entries.length, 1_000);
    assert.equal(accumulator.result(), 1);
  });

  it("refuse a removal that is not the oldest row", () => {
    const { accumulator } = run("MIN", [INTEGER], [1, 2]);
    assert.throws(() => accumulator.remove([2]), /order they arrived/);
  });

  it("order binary strings byte by byte", () => {
    const { result } = run("MIN", [{ name: "VARBINARY", precision: 4 }], [new Uint8Array([2, 0]), new Uint8Array([1, 255]), new Uint8Array([1, 254, 0])]);
    assert.deepEqual(result, new Uint8Array([1, 254, 0]));
  });
});

describe("analytics > aggregate > variance and deviation", () => {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32.
  const values = [2, 4, 4, 4, 5, 5, 7, 9];

  it("VAR_POP and STDDEV_POP divide by N; VAR_SAMP, STDDEV_SAMP and STD_DEV by N - 1", () => {
    assert.equal(run("VAR_POP", [DOUBLE], values).result, 4);
    assert.equal(run("STDDEV_POP", [DOUBLE], values).result, 2);
    assert.equal(run("VAR_SAMP", [DOUBLE], values).result, 32 / 7);
    assert.equal(run("STDDEV_SAMP", [DOUBLE], values).result, Math.sqrt(32 / 7));
    assert.equal(run("STD_DEV", [DOUBLE], values).result, Math.sqrt(32 / 7));
  });

  it("give null with no non-null value, and the sample forms also for one value", () => {
    assert.equal(run("VAR_POP", [DOUBLE], [null]).result, null);
    assert.equal(run("VAR_POP", [DOUBLE], [3]).result, 0);
    assert.equal(run("VAR_SAMP", [DOUBLE], [3, null]).result, null);
    assert.equal(run("STDDEV_SAMP", [DOUBLE], [3]).result, null);
  });

  it("keep an integer argument's type (truncated) and exclude duplicates with DISTINCT", () => {
    assert.equal(run("VAR_SAMP", [INTEGER], values).result, 4);
    // distinct 2, 4, 5, 7, 9: S1 = 27, S2 = 175, by the reference's formula
    assert.equal(run("VAR_POP", [DOUBLE], values, true).result, (175 - (27 * 27) / 5) / 5);
  });

  it("follow values out of a sliding window", () => {
    const { accumulator } = run("VAR_POP", [DOUBLE], [100, ...values]);
    accumulator.remove([100]);
    assert.equal(accumulator.result(), 4);
  });
});

describe("analytics > aggregate > EXP_AVG", () => {
  const tenSeconds = { kind: "interval" as const, ms: 10_000 };

  it("weighs rows twice as much per half-life newer: the reference's 10-second example", () => {
    const implementation = resolveAggregate("EXP_AVG", [DOUBLE, { name: "INTERVAL_DAY_TIME" }], { constants: [undefined, tenSeconds] });
    assert.equal(implementation.rowtimeArgument, true);
    assert.equal(implementation.type.name, "DOUBLE");
    const accumulator = implementation.create();
    accumulator.add([10, tenSeconds, 0]);
    accumulator.add([20, tenSeconds, 10_000]);
    accumulator.add([40, tenSeconds, 20_000]);
    // weights 1, 2, 4
    assert.equal(accumulator.result(), (10 + 40 + 160) / 7);
    accumulator.remove([10, tenSeconds, 0]);
    assert.equal(accumulator.result(), (40 + 160) / 6);
  });

  it("stays finite across thousands of half-lives", () => {
    const second = { kind: "interval" as const, ms: 1_000 };
    const accumulator = resolveAggregate("EXP_AVG", [DOUBLE, { name: "INTERVAL_DAY_TIME" }], { constants: [undefined, second] }).create();
    for (let t = 0; t < 5_000; t++) {
      accumulator.add([t % 2, second, t * 1_000]);
      if (t >= 10) accumulator.remove([(t - 10) % 2, second, (t - 10) * 1_000]);
    }
    const result = accumulator.result() as number;
    assert.ok(Number.isFinite(result) && result > 0.3 && result < 0.7, String(result));
  });

  it("needs a constant interval", () => {
    assert.match(resolveError("EXP_AVG", [DOUBLE, { name: "INTERVAL_DAY_TIME" }]), /constant/);
    assert.match(resolveError("EXP_AVG", [VARCHAR(3), { name: "INTERVAL_DAY_TIME" }], false, [undefined, tenSeconds]), /Cannot apply 'EXP_AVG'/);
  });
});

describe("analytics > aggregate > FIRST_VALUE and LAST_VALUE", () => {
  it("respect nulls by default and ignore them in the IGNORE NULLS forms", () => {
    assert.equal(run("FIRST_VALUE", [INTEGER], [null, 2, 3]).result, null);
    assert.equal(run("LAST_VALUE", [INTEGER], [1, 2, null]).result, null);
    const firstIgnoring = ignoreNullsAggregates.get("FIRST_VALUE")!.resolve([INTEGER], false, [undefined]);
    const lastIgnoring = ignoreNullsAggregates.get("LAST_VALUE")!.resolve([INTEGER], false, [undefined]);
    assert.ok(firstIgnoring.ok && lastIgnoring.ok);
    const first = firstIgnoring.value.create();
    const last = lastIgnoring.value.create();
    for (const value of [null, 2, 3, null]) {
      first.add([value]);
      last.add([value]);
    }
    assert.equal(first.result(), 2);
    assert.equal(last.result(), 3);
  });

  it("move the first value forward as the oldest rows leave", () => {
    const { accumulator: first } = run("FIRST_VALUE", [BIGINT], [1, 2, 3]);
    const { accumulator: last } = run("LAST_VALUE", [BIGINT], [1, 2, 3]);
    for (const value of [1, 2]) {
      first.remove([value]);
      last.remove([value]);
    }
    assert.equal(first.result(), 3);
    assert.equal(last.result(), 3);
    first.remove([3]);
    last.remove([3]);
    assert.equal(first.result(), null);
    assert.equal(last.result(), null);
  });
});
