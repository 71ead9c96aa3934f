/**
 * Numeric functions (the reference's "Numeric Functions"): ABS, CEIL / CEILING and FLOOR (also
 * on dates, times and timestamps TO a unit), EXP, LN, LOG10, MOD, POWER and STEP. Result types as
 * the service (Calcite) gives them: ABS keeps its argument's type, CEIL/FLOOR keep it with DECIMAL
 * losing its scale, EXP/LN/LOG10/POWER are DOUBLE, MOD takes its divisor's type, STEP keeps its
 * first argument's.
 */
import type { ScalarFunction, ScalarImplementation } from "../contracts.js";
import type { SqlInterval, SqlType } from "../../types.js";
import { ceilToUnit, datetimeUnits, epochMonth, floorToUnit, monthStartMs, msPerDay, type DatetimeUnit } from "./calendar.js";
import { errorNames, rowError } from "./errors.js";
import {
  cannotApply,
  double,
  exactIntegerNames,
  fail,
  isDatetime,
  isInterval,
  isNumeric,
  isWholeNumber,
  ok,
  symbolValue,
  wrongArgumentCount,
} from "./types.js";

/** -0 reads as 0 in SQL; keep results from carrying JavaScript's negative zero. */
const noNegativeZero = (value: number): number => (value === 0 ? 0 : value);

const abs: ScalarFunction = {
  name: "ABS",
  resolve(args) {
    if (args.length !== 1) return wrongArgumentCount("ABS", "1");
    const [type] = args as [SqlType];
    if (isNumeric(type)) return ok({ type, strict: true, evaluate: ([value]) => Math.abs(value as number) });
    if (isInterval(type)) {
      return ok({
        type,
        strict: true,
        evaluate([value]) {
          const interval = value as SqlInterval;
          return interval.months !== undefined ? { kind: "interval", months: Math.abs(interval.months) } : { kind: "interval", ms: Math.abs(interval.ms ?? 0) };
        },
      });
    }
    return cannotApply("ABS", args, ["ABS(<NUMERIC>)", "ABS(<DATETIME_INTERVAL>)"]);
  },
};

/** Units a TIME can be rounded to (it has no date part). */
const timeUnits: ReadonlySet<string> = new Set(["HOUR", "MINUTE", "SECOND"]);

function roundingFunction(name: string, direction: "FLOOR" | "CEIL"): ScalarFunction {
  const round = direction === "FLOOR" ? Math.floor : Math.ceil;
  const roundDatetime = direction === "FLOOR" ? floorToUnit : ceilToUnit;
  const forms = [`${name}(<NUMERIC>)`, `${name}(<DATETIME> TO <TIME_UNIT>)`];
  return {
    name,
    resolve(args, constants) {
      const [value] = args;
      if (args.length === 1) {
        if (!isNumeric(value!)) return cannotApply(name, args, forms);
        const type: SqlType = value!.name === "DECIMAL" ? { name: "DECIMAL", precision: value!.precision, scale: 0 } : value!;
        return ok({ type, strict: true, evaluate: ([x]) => noNegativeZero(round(x as number)) });
      }
      if (args.length !== 2) return wrongArgumentCount(name, "1 or 2");
      const unit = symbolValue(args[1], constants[1]);
      if (!isDatetime(value!) || unit === undefined) return cannotApply(name, args, forms);
      if (!datetimeUnits.has(unit)) return fail(`${name} does not support the time unit ${unit}`);
      if (value!.name === "TIME" && !timeUnits.has(unit)) return fail(`${name} of a TIME to ${unit} is not supported`);
      return ok({ type: value!, strict: true, evaluate: ([x]) => roundDatetime(x as number, unit as DatetimeUnit) });
    },
  };
}

function doubleFunction(name: string, compute: (x: number) => number, domain?: (x: number) => boolean): ScalarFunction {
  return {
    name,
    resolve(args) {
      if (args.length !== 1) return wrongArgumentCount(name, "1");
      if (!isNumeric(args[0]!)) return cannotApply(name, args, [`${name}(<NUMERIC>)`]);
      return ok({
        type: double,
        strict: true,
        evaluate([value]) {
          const x = value as number;
          if (domain !== undefined && !domain(x)) throw rowError(errorNames.invalidArgument, `Cannot take ${name} of ${x}`);
          return compute(x);
        },
      });
    },
  };
}

/**
 * e^x as Java's Math.exp computes it: fdlibm gives 2.7182818284590455 for x = 1 (the reference's
 * EXP(1)), one unit in the last place above V8's, which returns Math.E there; elsewhere they agree.
 */
function javaExp(x: number): number {
  return x === 1 ? 2.7182818284590455 : Math.exp(x);
}

const mod: ScalarFunction = {
  name: "MOD",
  resolve(args) {
    if (args.length !== 2) return wrongArgumentCount("MOD", "2");
    const [dividend, divisor] = args as [SqlType, SqlType];
    // The reference: MOD only takes arguments of scale 0.
    if (!isWholeNumber(dividend) || !isWholeNumber(divisor)) return cannotApply("MOD", args, ["MOD(<EXACT_NUMERIC>, <EXACT_NUMERIC>)"]);
    return ok({
      type: divisor.name === "NULL" ? dividend : divisor,
      strict: true,
      evaluate([a, b]) {
        if (b === 0) throw rowError(errorNames.divideByZero, "Division by zero");
        return noNegativeZero((a as number) % (b as number));
      },
    });
  },
};

const power: ScalarFunction = {
  name: "POWER",
  resolve(args) {
    if (args.length !== 2) return wrongArgumentCount("POWER", "2");
    if (!isNumeric(args[0]!) || !isNumeric(args[1]!)) return cannotApply("POWER", args, ["POWER(<NUMERIC>, <NUMERIC>)"]);
    return ok({
      type: double,
      strict: true,
      evaluate([base, exponent]) {
        const b = base as number;
        const e = exponent as number;
        if (b === 0 && e < 0) throw rowError(errorNames.invalidArgument, `Cannot raise 0 to the negative power ${e}`);
        if (b < 0 && !Number.isInteger(e)) throw rowError(errorNames.invalidArgument, `Cannot raise ${b} to the fractional power ${e}`);
        return b ** e;
      },
    });
  },
};

function stepDatetime(value: number, interval: SqlInterval): number {
  if (interval.months !== undefined) {
    if (interval.months <= 0) throw rowError(errorNames.invalidArgument, "STEP interval must be positive");
    return monthStartMs(Math.floor(epochMonth(value) / interval.months) * interval.months);
  }
  const size = interval.ms ?? 0;
  if (size <= 0) throw rowError(errorNames.invalidArgument, "STEP interval must be positive");
  return Math.floor(value / size) * size;
}

const step: ScalarFunction = {
  name: "STEP",
  resolve(args) {
    if (args.length !== 2) return wrongArgumentCount("STEP", "2");
    const [value, by] = args as [SqlType, SqlType];
    const forms = ["STEP(<INTEGER> BY <INTEGER>)", "STEP(<DATETIME> BY <INTERVAL>)"];
    if (value.name !== "NULL" && (exactIntegerNames.has(value.name) || (value.name === "DECIMAL" && (value.scale ?? 0) === 0))) {
      if (!isWholeNumber(by)) return cannotApply("STEP", args, forms);
      const implementation: ScalarImplementation = {
        type: value,
        strict: true,
        evaluate([x, n]) {
          const size = n as number;
          if (size === 0) throw rowError(errorNames.divideByZero, "Division by zero");
          return noNegativeZero(Math.floor((x as number) / size) * size);
        },
      };
      return ok(implementation);
    }
    if (!isDatetime(value) || !isInterval(by)) return cannotApply("STEP", args, forms);
    if (value.name === "TIME" && by.name === "INTERVAL_YEAR_MONTH") return cannotApply("STEP", args, forms);
    return ok({
      type: value.name === "NULL" ? { name: "TIMESTAMP", precision: 3 } : value,
      strict: true,
      evaluate([x, interval]) {
        const result = stepDatetime(x as number, interval as SqlInterval);
        return value.name === "TIME" ? result % msPerDay : result;
      },
    });
  },
};

export const numericFunctions: ScalarFunction[] = [
  abs,
  roundingFunction("CEIL", "CEIL"),
  roundingFunction("CEILING", "CEIL"),
  roundingFunction("FLOOR", "FLOOR"),
  doubleFunction("EXP", javaExp),
  doubleFunction("LN", Math.log, (x) => x > 0),
  doubleFunction("LOG10", Math.log10, (x) => x > 0),
  mod,
  power,
  step,
];
