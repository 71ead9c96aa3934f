/** COALESCE, NULLIF and MONOTONIC. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { arg, call, lit, resolve, resolveError, timestampArg, varcharArg } from "./helpers.js";

describe("COALESCE", () => {
  it("the reference's examples", () => {
    assert.equal(call("COALESCE", [lit("chair")]), "chair");
    assert.equal(call("COALESCE", [lit("chair"), lit(null), lit("sofa")]), "chair");
    assert.equal(call("COALESCE", [lit(null), lit(null), lit("sofa")]), "sofa");
    assert.equal(call("COALESCE", [lit(null), lit(2), lit(5)]), 2);
    assert.equal(call("COALESCE", [varcharArg(null), varcharArg(null)]), null);
  });

  it("widens numbers and strings; other types must match", () => {
    assert.deepEqual(resolve("COALESCE", [arg("INTEGER", 1), arg("BIGINT", 2)]).type, { name: "BIGINT" });
    assert.deepEqual(resolve("COALESCE", [arg("INTEGER", 1), arg("DOUBLE", 2)]).type, { name: "DOUBLE" });
    assert.deepEqual(resolve("COALESCE", [lit("ab"), varcharArg("x", 10)]).type, { name: "VARCHAR", precision: 10 });
    assert.deepEqual(resolve("COALESCE", [lit(1.5), arg("INTEGER", 1)]).type, { name: "DECIMAL", precision: 20, scale: 1 });
    assert.equal(resolveError("COALESCE", [lit("a"), lit(1)]), "Illegal mixing of types in CASE or COALESCE statement");
    assert.equal(resolveError("COALESCE", [timestampArg(null), arg("BOOLEAN", true)]), "Illegal mixing of types in CASE or COALESCE statement");
  });
});

describe("NULLIF", () => {
  it("null when equal, the first argument otherwise", () => {
    assert.equal(call("NULLIF", [lit(5), lit(5)]), null);
    assert.equal(call("NULLIF", [lit(5), lit(6)]), 5);
    assert.equal(call("NULLIF", [lit("a"), lit("b")]), "a");
    assert.equal(call("NULLIF", [arg({ name: "CHAR", precision: 3 }, "ab "), lit("ab")]), null);
    assert.equal(call("NULLIF", [lit(5), arg("INTEGER", null)]), 5);
    assert.equal(call("NULLIF", [arg("INTEGER", null), lit(5)]), null);
    assert.match(resolveError("NULLIF", [lit("a"), lit(1)])!, /Cannot compare values of types CHAR\(1\) and INTEGER/);
  });
});

describe("MONOTONIC", () => {
  it("returns its argument with its type", () => {
    assert.equal(call("MONOTONIC", [timestampArg("2001-01-01 00:00:00")]), Date.UTC(2001, 0, 1));
    assert.deepEqual(resolve("MONOTONIC", [arg("BIGINT", 1)]).type, { name: "BIGINT" });
  });
});
