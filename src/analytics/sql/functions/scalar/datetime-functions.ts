/**
 * Date and time functions (the reference's "Date and Time Functions" and "Datetime Conversion
 * Functions"): CHAR_TO_DATE / CHAR_TO_TIME / CHAR_TO_TIMESTAMP(format, string), DATE_TO_CHAR /
 * TIME_TO_CHAR / TIMESTAMP_TO_CHAR(format, value), TO_TIMESTAMP, UNIX_TIMESTAMP, EXTRACT, TSDIFF,
 * CURRENT_ROW_TIMESTAMP and the query-start clocks (CURRENT_DATE, CURRENT_TIME, CURRENT_TIMESTAMP,
 * LOCALTIME, LOCALTIMESTAMP). Everything is UTC, as the service runs.
 */
import type { EvalContext, ScalarFunction } from "../contracts.js";
import type { SqlInterval, SqlType, SqlValue } from "../../types.js";
import { civilFromDays, dayNumber, msPerDay, msPerHour, msPerMinute, timeOfDay } from "./calendar.js";
import { compileDateFormat, formatDate, type CompiledDateFormat } from "./date-format.js";
import { DateParseError, parseDate } from "./date-parse.js";
import { errorNames, rowError } from "./errors.js";
import {
  bigint,
  cannotApply,
  constantString,
  date,
  fail,
  isCharacter,
  isNull,
  isNumeric,
  ok,
  symbolValue,
  time,
  timestamp,
  varchar,
  wrongArgumentCount,
} from "./types.js";

const formatCacheEntriesMax = 32;
/** Formatted dates are short; the declared length only bounds what a pump's target column may need. */
const formattedLength = 1024;

/** Format text → compiled pattern, fixed for a constant and cached otherwise; a bad pattern is a row error. */
function formatSource(constant: string | undefined): (pattern: string) => CompiledDateFormat {
  const cache = new Map<string, CompiledDateFormat>();
  const compile = (pattern: string) => {
    try {
      return compileDateFormat(pattern);
    } catch (error) {
      throw rowError(errorNames.datetimeFormat, `Invalid date format '${pattern}': ${(error as Error).message}`);
    }
  };
  let fixed: CompiledDateFormat | undefined;
  if (constant !== undefined) {
    try {
      fixed = compileDateFormat(constant);
    } catch {
      fixed = undefined;
    }
  }
  return (pattern) => {
    if (fixed !== undefined && pattern === constant) return fixed;
    let compiled = cache.get(pattern);
    if (compiled === undefined) {
      compiled = compile(pattern);
      if (cache.size >= formatCacheEntriesMax) cache.delete(cache.keys().next().value!);
      cache.set(pattern, compiled);
    }
    return compiled;
  };
}

/** Parses `text` with `format` into epoch ms; a mismatch is a row error. */
export function parseWithFormat(format: CompiledDateFormat, text: string, nowMs: number): number {
  try {
    return parseDate(format, text, nowMs);
  } catch (error) {
    if (error instanceof DateParseError) throw rowError(errorNames.datetimeFormat, `${error.message} with format '${format.pattern}'`);
    throw error;
  }
}

function charTo(name: string, type: SqlType, convert: (ms: number) => number): ScalarFunction {
  return {
    name,
    resolve(args, constants) {
      if (args.length !== 2) return wrongArgumentCount(name, "2");
      if (!isCharacter(args[0]!) || !isCharacter(args[1]!)) return cannotApply(name, args, [`${name}(<VARCHAR> format, <VARCHAR>)`]);
      const formats = formatSource(constantString(constants[0]));
      return ok({
        type,
        strict: true,
        evaluate: ([format, text], context) => convert(parseWithFormat(formats(format as string), text as string, context.nowMs)),
      });
    },
  };
}

function toChar(name: string, accepts: readonly string[], nullText: string | null): ScalarFunction {
  return {
    name,
    resolve(args, constants) {
      if (args.length !== 2) return wrongArgumentCount(name, "2");
      const [formatType, valueType] = args as [SqlType, SqlType];
      if (!isCharacter(formatType) || !(isNull(valueType) || accepts.includes(valueType.name))) {
        return cannotApply(name, args, [`${name}(<VARCHAR> format, <${accepts[0]}>)`]);
      }
      const formats = formatSource(constantString(constants[0]));
      return ok({
        type: varchar(formattedLength),
        // TIMESTAMP_TO_CHAR of a null timestamp is the string 'null' (the reference's note).
        strict: nullText === null,
        evaluate([format, value]) {
          if (format === null) return null;
          if (value === null) return nullText;
          return formatDate(formats(format as string), value as number);
        },
      });
    },
  };
}

const toTimestamp: ScalarFunction = {
  name: "TO_TIMESTAMP",
  resolve(args) {
    if (args.length !== 1) return wrongArgumentCount("TO_TIMESTAMP", "1");
    if (!isNumeric(args[0]!)) return cannotApply("TO_TIMESTAMP", args, ["TO_TIMESTAMP(<BIGINT>)"]);
    return ok({ type: timestamp, strict: true, evaluate: ([value]) => Math.trunc(value as number) });
  },
};

const unixTimestamp: ScalarFunction = {
  name: "UNIX_TIMESTAMP",
  resolve(args) {
    if (args.length !== 1) return wrongArgumentCount("UNIX_TIMESTAMP", "1");
    const [type] = args as [SqlType];
    if (!(isNull(type) || type.name === "TIMESTAMP" || type.name === "DATE")) return cannotApply("UNIX_TIMESTAMP", args, ["UNIX_TIMESTAMP(<TIMESTAMP>)"]);
    return ok({ type: bigint, strict: true, evaluate: ([value]) => value as number });
  },
};

const tsdiff: ScalarFunction = {
  name: "TSDIFF",
  resolve(args) {
    if (args.length !== 2) return wrongArgumentCount("TSDIFF", "2");
    const fits = (type: SqlType) => isNull(type) || type.name === "TIMESTAMP" || type.name === "BIGINT" || type.name === "INTEGER";
    if (!fits(args[0]!) || !fits(args[1]!)) return cannotApply("TSDIFF", args, ["TSDIFF(<TIMESTAMP> startTime, <TIMESTAMP> endTime)"]);
    // The time from startTime to endTime, in milliseconds.
    return ok({ type: bigint, strict: true, evaluate: ([start, end]) => (end as number) - (start as number) });
  },
};

const currentRowTimestamp: ScalarFunction = {
  name: "CURRENT_ROW_TIMESTAMP",
  resolve(args) {
    if (args.length !== 0) return wrongArgumentCount("CURRENT_ROW_TIMESTAMP", "0");
    return ok({ type: { ...timestamp, nullable: false }, strict: false, evaluate: (_args, context) => context.nowMs });
  },
};

/** A clock fixed when the query starts (the reference: set "at the time the query first executes"). */
function queryClock(name: string, type: SqlType, project: (ms: number) => number): ScalarFunction {
  return {
    name,
    resolve(args) {
      if (args.length !== 0) return wrongArgumentCount(name, "0");
      let firstSeenMs: number | undefined;
      return ok({
        type: { ...type, nullable: false },
        strict: false,
        evaluate(_args, context: EvalContext) {
          if (context.queryStartMs !== undefined) return project(context.queryStartMs);
          firstSeenMs ??= context.nowMs;
          return project(firstSeenMs);
        },
      });
    },
  };
}

const identity = (ms: number) => ms;
const startOfDay = (ms: number) => dayNumber(ms) * msPerDay;

type ExtractUnit = "YEAR" | "MONTH" | "DAY" | "HOUR" | "MINUTE" | "SECOND";

/** Fields EXTRACT reads from each kind of value (Calcite's rules; the reference lists these six). */
const extractable: Readonly<Record<string, readonly ExtractUnit[]>> = {
  TIMESTAMP: ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"],
  DATE: ["YEAR", "MONTH", "DAY"],
  TIME: ["HOUR", "MINUTE", "SECOND"],
  INTERVAL_DAY_TIME: ["DAY", "HOUR", "MINUTE", "SECOND"],
  INTERVAL_YEAR_MONTH: ["YEAR", "MONTH"],
  NULL: ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"],
};

function extractFromDatetime(unit: ExtractUnit, ms: number): number {
  if (unit === "YEAR" || unit === "MONTH" || unit === "DAY") {
    const civil = civilFromDays(dayNumber(ms));
    return unit === "YEAR" ? civil.year : unit === "MONTH" ? civil.month : civil.day;
  }
  const clock = timeOfDay(ms);
  if (unit === "HOUR") return Math.floor(clock / msPerHour);
  if (unit === "MINUTE") return Math.floor(clock / msPerMinute) % 60;
  return (clock % msPerMinute) / 1000;
}

function extractFromInterval(unit: ExtractUnit, interval: SqlInterval): number {
  if (interval.months !== undefined) {
    const months = Math.abs(interval.months);
    const value = unit === "YEAR" ? Math.floor(months / 12) : months % 12;
    return interval.months < 0 && value !== 0 ? -value : value;
  }
  const total = interval.ms ?? 0;
  const ms = Math.abs(total);
  let value: number;
  if (unit === "DAY") value = Math.floor(ms / msPerDay);
  else if (unit === "HOUR") value = Math.floor(ms / msPerHour) % 24;
  else if (unit === "MINUTE") value = Math.floor(ms / msPerMinute) % 60;
  else value = (ms % msPerMinute) / 1000;
  return total < 0 && value !== 0 ? -value : value;
}

const extract: ScalarFunction = {
  name: "EXTRACT",
  resolve(args, constants) {
    if (args.length !== 2) return wrongArgumentCount("EXTRACT", "2");
    const unit = symbolValue(args[0], constants[0]);
    const valueType = args[1]!;
    const units = extractable[valueType.name];
    if (unit === undefined || units === undefined) {
      return cannotApply("EXTRACT", args, ["EXTRACT(<TIME_UNIT> FROM <DATETIME>)", "EXTRACT(<TIME_UNIT> FROM <INTERVAL>)"]);
    }
    if (!units.includes(unit as ExtractUnit)) return fail(`Cannot extract ${unit} from ${valueType.name}`);
    const field = unit as ExtractUnit;
    // BIGINT for every field but SECOND, which is DECIMAL(5,3) with the milliseconds.
    const type: SqlType = field === "SECOND" ? { name: "DECIMAL", precision: 5, scale: 3 } : bigint;
    const interval = valueType.name.startsWith("INTERVAL");
    return ok({
      type,
      strict: true,
      evaluate: ([, value]: readonly SqlValue[]) =>
        interval ? extractFromInterval(field, value as SqlInterval) : extractFromDatetime(field, value as number),
    });
  },
};

export const datetimeFunctions: ScalarFunction[] = [
  charTo("CHAR_TO_TIMESTAMP", timestamp, identity),
  charTo("CHAR_TO_DATE", date, startOfDay),
  charTo("CHAR_TO_TIME", time, timeOfDay),
  toChar("TIMESTAMP_TO_CHAR", ["TIMESTAMP", "DATE"], "null"),
  toChar("DATE_TO_CHAR", ["DATE", "TIMESTAMP"], null),
  toChar("TIME_TO_CHAR", ["TIME"], null),
  toTimestamp,
  unixTimestamp,
  tsdiff,
  extract,
  currentRowTimestamp,
  queryClock("CURRENT_TIMESTAMP", timestamp, identity),
  queryClock("LOCALTIMESTAMP", timestamp, identity),
  queryClock("CURRENT_DATE", date, startOfDay),
  queryClock("CURRENT_TIME", time, timeOfDay),
  queryClock("LOCALTIME", time, timeOfDay),
];

