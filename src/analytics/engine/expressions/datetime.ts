/**
 * Text forms of the date-time values (types.ts: TIMESTAMP and DATE are epoch milliseconds UTC,
 * TIME is milliseconds since midnight, intervals carry `ms` or `months`) as CAST and typed
 * literals read and write them:
 *   TIMESTAMP 'YYYY-MM-DD HH:MM:SS[.fff]'   DATE 'YYYY-MM-DD'   TIME 'HH:MM:SS[.fff]'
 * and the interval literal grammar of the reference ("Interval literals": '3 4' DAY TO HOUR,
 * '1:30' HOUR TO MINUTE, '3-4' YEAR TO MONTH). Pure functions; null means "not that form".
 */
import type { SqlInterval } from "../../sql/types.js";
import type { TimeUnit } from "../../sql/ast.js";

export const msPerSecond = 1000;
export const msPerMinute = 60_000;
export const msPerHour = 3_600_000;
export const msPerDay = 86_400_000;

const timestampPattern = /^\s*(-?\d{1,9})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{0,9}))?)?)?\s*$/;
const datePattern = /^\s*(-?\d{1,9})-(\d{1,2})-(\d{1,2})\s*$/;
const timePattern = /^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{0,9}))?)?\s*$/;

function fractionMs(digits: string | undefined): number {
  if (digits === undefined || digits === "") return 0;
  return Math.floor(Number((digits + "000").slice(0, 3)));
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function epochDay(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(0, 0, 0, 0);
  return date.getTime();
}

/** 'YYYY-MM-DD HH:MM:SS[.fff]' (a date alone means midnight) → epoch ms, or null. */
export function parseTimestamp(text: string): number | null {
  const match = timestampPattern.exec(text);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4] ?? 0);
  const minute = Number(match[5] ?? 0);
  const second = Number(match[6] ?? 0);
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  return epochDay(year, month, day) + hour * msPerHour + minute * msPerMinute + second * msPerSecond + fractionMs(match[7]);
}

export function parseDate(text: string): number | null {
  const match = datePattern.exec(text);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return validDate(year, month, day) ? epochDay(year, month, day) : null;
}

export function parseTime(text: string): number | null {
  const match = timePattern.exec(text);
  if (match === null) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  const second = Number(match[3] ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return null;
  return hour * msPerHour + minute * msPerMinute + second * msPerSecond + fractionMs(match[4]);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

function formatYear(year: number): string {
  return year < 0 ? "-" + pad(-year, 4) : pad(year, 4);
}

/** Epoch ms → 'YYYY-MM-DD HH:MM:SS.fff' (precision 0: without the fraction). */
export function formatTimestamp(ms: number, precision = 3): string {
  const date = new Date(ms);
  const text =
    `${formatYear(date.getUTCFullYear())}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)} ` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
  return precision > 0 ? `${text}.${pad(date.getUTCMilliseconds(), 3).slice(0, Math.min(precision, 3))}` : text;
}

export function formatDate(ms: number): string {
  const date = new Date(ms);
  return `${formatYear(date.getUTCFullYear())}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
}

export function formatTime(ms: number, precision = 0): string {
  const day = ((ms % msPerDay) + msPerDay) % msPerDay;
  const text = `${pad(Math.floor(day / msPerHour), 2)}:${pad(Math.floor(day / msPerMinute) % 60, 2)}:${pad(Math.floor(day / msPerSecond) % 60, 2)}`;
  return precision > 0 ? `${text}.${pad(day % 1000, 3).slice(0, Math.min(precision, 3))}` : text;
}

/** The day (midnight UTC) of an epoch-ms timestamp. */
export function dayOf(ms: number): number {
  return Math.floor(ms / msPerDay) * msPerDay;
}

/** The time of day of an epoch-ms timestamp. */
export function timeOfDay(ms: number): number {
  return ((ms % msPerDay) + msPerDay) % msPerDay;
}

/** Adds calendar months, clamping the day to the target month's length (2008-01-31 + 1 month → 2008-02-29). */
export function addMonths(ms: number, months: number): number {
  const date = new Date(ms);
  const total = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  return epochDay(year, month, day) + timeOfDay(ms);
}

const unitMs: Partial<Record<TimeUnit, number>> = {
  WEEK: 7 * msPerDay,
  DAY: msPerDay,
  HOUR: msPerHour,
  MINUTE: msPerMinute,
  SECOND: msPerSecond,
  MILLISECOND: 1,
};

const unitMonths: Partial<Record<TimeUnit, number>> = { YEAR: 12, QUARTER: 3, MONTH: 1 };

export function isYearMonthUnit(unit: TimeUnit): boolean {
  return unitMonths[unit] !== undefined;
}

const dayTimeOrder: TimeUnit[] = ["DAY", "HOUR", "MINUTE", "SECOND"];

/**
 * Reads an interval literal's text for its qualifier: '5' MINUTE, '3 4' DAY TO HOUR,
 * '1:30' HOUR TO MINUTE, '1 2:03:04.5' DAY TO SECOND, '3-4' YEAR TO MONTH. A sign inside the
 * text ('-5') is allowed. Returns null when the text does not fit the qualifier.
 */
export function parseInterval(text: string, start: TimeUnit, end: TimeUnit | undefined, negative: boolean): SqlInterval | null {
  let body = text.trim();
  let sign = negative ? -1 : 1;
  if (body.startsWith("-")) {
    sign = -sign;
    body = body.slice(1).trim();
  } else if (body.startsWith("+")) {
    body = body.slice(1).trim();
  }
  if (isYearMonthUnit(start)) {
    if (end === undefined || end === start) {
      if (!/^\d+$/.test(body)) return null;
      return { kind: "interval", months: sign * Number(body) * (unitMonths[start] ?? 1) };
    }
    const match = /^(\d+)-(\d+)$/.exec(body);
    if (match === null || start !== "YEAR" || end !== "MONTH") return null;
    const months = Number(match[2]);
    if (months > 11) return null;
    return { kind: "interval", months: sign * (Number(match[1]) * 12 + months) };
  }
  if (end === undefined || end === start) {
    if (start === "SECOND") {
      if (!/^\d+(\.\d*)?$/.test(body)) return null;
      return { kind: "interval", ms: sign * Math.round(Number(body) * 1000) };
    }
    if (!/^\d+$/.test(body)) return null;
    return { kind: "interval", ms: sign * Number(body) * (unitMs[start] ?? 1) };
  }
  const from = dayTimeOrder.indexOf(start);
  const to = dayTimeOrder.indexOf(end);
  if (from < 0 || to <= from) return null;
  // Fields after DAY are separated by ':'; DAY is separated from HOUR by a space.
  const parts: string[] = [];
  let rest = body;
  if (start === "DAY") {
    const match = /^(\d+)\s+(.*)$/.exec(rest);
    if (match === null) return null;
    parts.push(match[1] as string);
    rest = match[2] as string;
  }
  parts.push(...rest.split(":"));
  if (parts.length !== to - from + 1) return null;
  let ms = 0;
  for (let i = 0; i < parts.length; i++) {
    const unit = dayTimeOrder[from + i] as TimeUnit;
    const part = (parts[i] as string).trim();
    const isSecond = unit === "SECOND";
    if (!(isSecond ? /^\d+(\.\d*)?$/ : /^\d+$/).test(part)) return null;
    const value = Number(part);
    if (i > 0 && value >= (unit === "HOUR" ? 24 : 60)) return null;
    ms += isSecond ? Math.round(value * 1000) : value * (unitMs[unit] ?? 1);
  }
  return { kind: "interval", ms: sign * ms };
}

/** The qualifier of a day-time interval type when none is given: the widest day-time form. */
export const defaultDayTimeQualifier = "DAY TO SECOND";

/**
 * Formats an interval for CAST(... AS VARCHAR) as the reference prints them: a sign, the leading
 * field unpadded, later fields two digits ('+4 04' DAY TO HOUR, '+6:11' MINUTE TO SECOND,
 * '+4-04' YEAR TO MONTH).
 */
export function formatInterval(value: SqlInterval, qualifier: string | undefined): string {
  if (value.months !== undefined) {
    const months = value.months;
    const sign = months < 0 ? "-" : "+";
    const abs = Math.abs(months);
    const [start, end] = splitQualifier(qualifier ?? "YEAR TO MONTH");
    if (start === "MONTH") return `${sign}${abs}`;
    if (end === "MONTH") return `${sign}${Math.floor(abs / 12)}-${pad(abs % 12, 2)}`;
    return `${sign}${Math.floor(abs / 12)}`;
  }
  const ms = value.ms ?? 0;
  const sign = ms < 0 ? "-" : "+";
  const abs = Math.abs(ms);
  const [startText, endText] = splitQualifier(qualifier ?? defaultDayTimeQualifier);
  const from = Math.max(0, dayTimeOrder.indexOf(startText as TimeUnit));
  const toIndex = dayTimeOrder.indexOf((endText ?? startText) as TimeUnit);
  const to = toIndex < from ? from : toIndex;
  const sizes = [msPerDay, msPerHour, msPerMinute, msPerSecond];
  const limits = [Infinity, 24, 60, 60];
  let text = "";
  for (let i = from; i <= to; i++) {
    const size = sizes[i] as number;
    let field = Math.floor(abs / size);
    if (i > from) field %= limits[i] as number;
    const fieldText = i === from ? String(field) : pad(field, 2);
    text += i === from ? fieldText : (i === 1 ? " " : ":") + fieldText;
  }
  if (to === 3 && abs % 1000 !== 0) text += "." + pad(abs % 1000, 3);
  return sign + text;
}

function splitQualifier(qualifier: string): [string, string | undefined] {
  const parts = qualifier.toUpperCase().split(/\s+TO\s+/);
  const clean = (part: string | undefined): string | undefined => part?.replace(/\(.*\)/, "").trim();
  return [clean(parts[0]) ?? "DAY", clean(parts[1])];
}
