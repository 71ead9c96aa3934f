/**
 * The reference's "Null Functions" — COALESCE and NULLIF — and MONOTONIC ("Streaming SQL
 * Functions": it declares its argument monotonic for the planner and returns it unchanged).
 * COALESCE's arguments "must be of the same type": numbers widen to the widest, character strings
 * to the longest, anything else must match.
 */
import type { ScalarFunction } from "../contracts.js";
import type { SqlType, SqlValue } from "../../types.js";
import { fail, isCharacter, isInterval, isNull, isNumeric, ok, typeText, wrongArgumentCount } from "./types.js";

const numericRank: Readonly<Record<string, number>> = { TINYINT: 1, SMALLINT: 2, INTEGER: 3, BIGINT: 4, DECIMAL: 5, REAL: 6, DOUBLE: 7 };

/** The type values of all `types` fit in, or undefined when they do not mix. */
export function commonType(types: readonly SqlType[]): SqlType | undefined {
  const typed = types.filter((type) => !isNull(type));
  if (typed.length === 0) return { name: "NULL" };
  const [first] = typed as [SqlType, ...SqlType[]];
  if (typed.every(isNumeric)) {
    const widest = typed.reduce((a, b) => (numericRank[b.name]! > numericRank[a.name]! ? b : a));
    if (widest.name !== "DECIMAL") return { name: widest.name };
    const decimals = typed.filter((type) => type.name === "DECIMAL");
    const scale = Math.max(...decimals.map((type) => type.scale ?? 0));
    const integerDigits = Math.max(...typed.map((type) => (type.name === "DECIMAL" ? (type.precision ?? 19) - (type.scale ?? 0) : 19)));
    return { name: "DECIMAL", precision: Math.min(integerDigits + scale, 38), scale };
  }
  if (typed.every(isCharacter)) {
    const length = Math.max(...typed.map((type) => type.precision ?? 0));
    return { name: typed.some((type) => type.name === "VARCHAR") ? "VARCHAR" : "CHAR", precision: length };
  }
  if (typed.every((type) => type.name === "DATE" || type.name === "TIMESTAMP")) {
    return typed.some((type) => type.name === "TIMESTAMP") ? { name: "TIMESTAMP", precision: 3 } : { name: "DATE" };
  }
  if (typed.every((type) => type.name === first.name)) return first;
  return undefined;
}

const coalesce: ScalarFunction = {
  name: "COALESCE",
  resolve(args) {
    if (args.length < 1) return wrongArgumentCount("COALESCE", "at least 1");
    const type = commonType(args);
    if (type === undefined) return fail("Illegal mixing of types in CASE or COALESCE statement");
    return ok({
      type,
      strict: false,
      evaluate(values) {
        for (const value of values) if (value !== null) return value;
        return null;
      },
    });
  },
};

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** SQL equality of two non-null values of comparable types (CHAR compares without trailing spaces). */
function sqlEquals(a: SqlValue, b: SqlValue, padded: boolean): boolean {
  if (typeof a === "string" && typeof b === "string") return padded ? a.trimEnd() === b.trimEnd() : a === b;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return equalBytes(a, b);
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const x = a as { ms?: number; months?: number };
    const y = b as { ms?: number; months?: number };
    return x.ms === y.ms && x.months === y.months;
  }
  return a === b;
}

const nullif: ScalarFunction = {
  name: "NULLIF",
  resolve(args) {
    if (args.length !== 2) return wrongArgumentCount("NULLIF", "2");
    const [a, b] = args as [SqlType, SqlType];
    const comparable =
      isNull(a) ||
      isNull(b) ||
      (isNumeric(a) && isNumeric(b)) ||
      (isCharacter(a) && isCharacter(b)) ||
      (isInterval(a) && isInterval(b) && a.name === b.name) ||
      commonType([a, b]) !== undefined;
    if (!comparable) return fail(`Cannot compare values of types ${typeText(a)} and ${typeText(b)}`);
    const padded = a.name === "CHAR" || b.name === "CHAR";
    return ok({
      type: { ...a, nullable: true },
      strict: false,
      evaluate([x, y]) {
        if (x === null || x === undefined) return null;
        if (y === null || y === undefined) return x;
        return sqlEquals(x, y, padded) ? null : x;
      },
    });
  },
};

const monotonic: ScalarFunction = {
  name: "MONOTONIC",
  resolve(args) {
    if (args.length !== 1) return wrongArgumentCount("MONOTONIC", "1");
    return ok({ type: args[0]!, strict: false, evaluate: ([value]) => value ?? null });
  },
};

export const nullFunctions: ScalarFunction[] = [coalesce, nullif, monotonic];
