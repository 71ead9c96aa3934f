/**
 * Parsing with the reference's date and time patterns, as SimpleDateFormat.parse does it in strict
 * (non-lenient) mode — the reference's "Template Strings to Create Specific Output Timestamps":
 * each element must be in range for its field or there is no result ('2011-2-8' against 'M-d'),
 * fields the pattern lacks default to 1970-01-01 00:00:00.000, text after the pattern is ignored,
 * spaces and tabs before a field are skipped, and a numeric field directly followed by another
 * numeric field reads exactly as many digits as it has letters ('yyyyMMdd'). A two-letter year
 * ('yy') is placed within 80 years before and 20 after now; a one-letter year is taken literally
 * (the reference: 'MMM dd,y' reads 'March 7, 10' as 0010-03-07).
 */
import { civilFromDays, daysFromCivil, daysInMonth, isLeapYear, isoDayOfWeek, msPerDay, msPerHour, msPerMinute } from "./calendar.js";
import { monthNames, shortMonthNames, shortWeekdayNames, weekdayNames, type CompiledDateFormat, type FormatToken } from "./date-format.js";

/** Why a string did not parse (the caller turns it into a row error). */
export class DateParseError extends Error {
  override name = "DateParseError";
}

const numericLetters = new Set(["y", "Y", "d", "k", "H", "m", "s", "S", "D", "F", "w", "W", "K", "h", "u"]);

function isNumericField(token: FormatToken | undefined): boolean {
  if (token === undefined || token.kind !== "field") return false;
  if (token.letter === "M" || token.letter === "L") return token.count <= 2;
  return numericLetters.has(token.letter);
}

/** Well-known zone names and their offsets in ms (the general time zone form, 'z'). */
const zoneOffsetsMs: Readonly<Record<string, number>> = {
  UTC: 0,
  UT: 0,
  GMT: 0,
  Z: 0,
  EST: -5 * msPerHour,
  EDT: -4 * msPerHour,
  CST: -6 * msPerHour,
  CDT: -5 * msPerHour,
  MST: -7 * msPerHour,
  MDT: -6 * msPerHour,
  PST: -8 * msPerHour,
  PDT: -7 * msPerHour,
  "COORDINATED UNIVERSAL TIME": 0,
  "GREENWICH MEAN TIME": 0,
};

interface Fields {
  year?: number;
  yearDigits?: number;
  yearLetters?: number;
  bc?: boolean;
  month?: number;
  day?: number;
  dayOfYear?: number;
  /** Order in which day-of-month style and day-of-year fields were set (the later one wins, as Calendar resolves). */
  dateStamp: number;
  dayOfYearStamp: number;
  weekday?: number;
  hourOfDay?: number;
  hour12?: number;
  pm?: boolean;
  minute?: number;
  second?: number;
  millisecond?: number;
  offsetMs?: number;
}

class Cursor {
  position = 0;
  constructor(readonly text: string) {}

  fail(): never {
    throw new DateParseError(`Unparseable date: "${this.text}"`);
  }

  skipBlanks(): void {
    while (this.text[this.position] === " " || this.text[this.position] === "\t") this.position += 1;
  }

  /** Up to `maxDigits` digits (all of them when undefined); fails on none. Returns value and digit count. */
  digits(maxDigits?: number): { value: number; count: number } {
    const start = this.position;
    const limit = maxDigits === undefined ? this.text.length : Math.min(this.text.length, start + maxDigits);
    let value = 0;
    while (this.position < limit) {
      const code = this.text.charCodeAt(this.position);
      if (code < 48 || code > 57) break;
      value = value * 10 + (code - 48);
      this.position += 1;
    }
    if (this.position === start) this.fail();
    return { value, count: this.position - start };
  }

  /** The longest of `names` (case-insensitive) at the cursor; its index. */
  oneOf(...lists: readonly (readonly string[])[]): number {
    let best = -1;
    let bestLength = 0;
    const rest = this.text.slice(this.position).toUpperCase();
    for (const names of lists) {
      names.forEach((name, index) => {
        if (name.length > bestLength && rest.startsWith(name.toUpperCase())) {
          best = index;
          bestLength = name.length;
        }
      });
    }
    if (best < 0) this.fail();
    this.position += bestLength;
    return best;
  }
}

/** ±hh[:]mm or ±hh (ISO 'X' and RFC 822 'Z'), after the sign. */
function numericOffset(cursor: Cursor): number {
  const sign = cursor.text[cursor.position];
  if (sign !== "+" && sign !== "-") cursor.fail();
  cursor.position += 1;
  const hours = cursor.digits(2);
  let minutes = 0;
  if (cursor.text[cursor.position] === ":") cursor.position += 1;
  if (/[0-9]/.test(cursor.text[cursor.position] ?? "")) minutes = cursor.digits(2).value;
  if (hours.value > 23 || minutes > 59) cursor.fail();
  const offset = hours.value * msPerHour + minutes * msPerMinute;
  return sign === "-" ? -offset : offset;
}

function zoneOffset(cursor: Cursor): number {
  const ch = cursor.text[cursor.position];
  if (ch === "+" || ch === "-") return numericOffset(cursor);
  const rest = cursor.text.slice(cursor.position).toUpperCase();
  for (const prefix of ["GMT", "UTC", "UT"]) {
    if (rest.startsWith(prefix)) {
      cursor.position += prefix.length;
      const sign = cursor.text[cursor.position];
      return sign === "+" || sign === "-" ? numericOffset(cursor) : 0;
    }
  }
  const names = Object.keys(zoneOffsetsMs);
  return zoneOffsetsMs[names[cursor.oneOf(names)]!]!;
}

function parseField(cursor: Cursor, token: { letter: string; count: number }, obeyCount: boolean, fields: Fields, stamp: number): void {
  // Abutting numeric fields read exactly as many digits as their letters (no closure: this runs per field per row).
  const maxDigits = obeyCount ? token.count : undefined;
  switch (token.letter) {
    case "G":
      fields.bc = cursor.oneOf(["AD", "BC"]) === 1;
      return;
    case "y":
    case "Y": {
      const { value, count } = cursor.digits(maxDigits);
      fields.year = value;
      fields.yearDigits = count;
      fields.yearLetters = token.count;
      return;
    }
    case "M":
    case "L":
      fields.month = token.count <= 2 ? cursor.digits(maxDigits).value : cursor.oneOf(monthNames, shortMonthNames) + 1;
      fields.dateStamp = stamp;
      return;
    case "d":
      fields.day = cursor.digits(maxDigits).value;
      fields.dateStamp = stamp;
      return;
    case "D":
      fields.dayOfYear = cursor.digits(maxDigits).value;
      fields.dayOfYearStamp = stamp;
      return;
    case "E":
      fields.weekday = cursor.oneOf(weekdayNames, shortWeekdayNames);
      return;
    case "u": {
      const value = cursor.digits(maxDigits).value;
      if (value < 1 || value > 7) cursor.fail();
      fields.weekday = value % 7;
      return;
    }
    case "a":
      fields.pm = cursor.oneOf(["AM", "PM"]) === 1;
      return;
    case "H":
    case "k": {
      let value = cursor.digits(maxDigits).value;
      if (token.letter === "k" && value === 24) value = 0;
      fields.hourOfDay = value;
      return;
    }
    case "h":
    case "K": {
      let value = cursor.digits(maxDigits).value;
      if (token.letter === "h" && value === 12) value = 0;
      fields.hour12 = value;
      return;
    }
    case "m":
      fields.minute = cursor.digits(maxDigits).value;
      return;
    case "s":
      fields.second = cursor.digits(maxDigits).value;
      return;
    case "S":
      fields.millisecond = cursor.digits(maxDigits).value;
      return;
    case "F":
    case "w":
    case "W":
      // Read (they must be numbers) but, as in Calendar, a full date takes precedence over them.
      cursor.digits(maxDigits);
      return;
    case "z":
    case "Z":
      fields.offsetMs = zoneOffset(cursor);
      return;
    case "X":
      if (cursor.text[cursor.position] === "Z") {
        cursor.position += 1;
        fields.offsetMs = 0;
      } else {
        fields.offsetMs = numericOffset(cursor);
      }
      return;
    default:
      cursor.fail();
  }
}

/** The year a two-digit 'yy' value stands for: within 80 years before and 20 after now. */
function windowedYear(twoDigits: number, nowMs: number): number {
  const startYear = civilFromDays(Math.floor(nowMs / msPerDay)).year - 80;
  const century = Math.floor(startYear / 100) * 100;
  return century + twoDigits + (twoDigits < startYear % 100 ? 100 : 0);
}

function resolve(fields: Fields, cursor: Cursor, nowMs: number): number {
  let year = fields.year ?? 1970;
  if (fields.year !== undefined && fields.yearLetters === 2 && fields.yearDigits === 2) year = windowedYear(fields.year, nowMs);
  if (fields.bc) year = 1 - year;
  let days: number;
  if (fields.dayOfYear !== undefined && fields.dayOfYearStamp > fields.dateStamp) {
    if (fields.dayOfYear < 1 || fields.dayOfYear > (isLeapYear(year) ? 366 : 365)) cursor.fail();
    days = daysFromCivil(year, 1, 1) + fields.dayOfYear - 1;
  } else {
    const month = fields.month ?? 1;
    const day = fields.day ?? 1;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) cursor.fail();
    days = daysFromCivil(year, month, day);
  }
  if (fields.weekday !== undefined && isoDayOfWeek(days) % 7 !== fields.weekday) cursor.fail();
  let hour = 0;
  if (fields.hour12 !== undefined) {
    if (fields.hour12 > 11) cursor.fail();
    hour = fields.hour12 + (fields.pm ? 12 : 0);
  } else if (fields.hourOfDay !== undefined) {
    if (fields.hourOfDay > 23) cursor.fail();
    hour = fields.hourOfDay;
  } else if (fields.pm) {
    hour = 12;
  }
  const minute = fields.minute ?? 0;
  const second = fields.second ?? 0;
  const millisecond = fields.millisecond ?? 0;
  if (minute > 59 || second > 59 || millisecond > 999) cursor.fail();
  const local = days * msPerDay + hour * msPerHour + minute * msPerMinute + second * 1000 + millisecond;
  return local - (fields.offsetMs ?? 0);
}

/**
 * Parses `text` with a compiled pattern into epoch ms (UTC); throws DateParseError.
 * `nowMs` places two-digit years.
 */
export function parseDate(format: CompiledDateFormat, text: string, nowMs: number): number {
  const cursor = new Cursor(text);
  const fields: Fields = { dateStamp: 0, dayOfYearStamp: 0 };
  const tokens = format.tokens;
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    if (token.kind === "literal") {
      if (!text.startsWith(token.text, cursor.position)) cursor.fail();
      cursor.position += token.text.length;
      continue;
    }
    cursor.skipBlanks();
    const obeyCount = isNumericField(token) && isNumericField(tokens[index + 1]);
    parseField(cursor, token, obeyCount, fields, index + 1);
  }
  return resolve(fields, cursor, nowMs);
}
