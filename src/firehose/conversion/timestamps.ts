/**
 * Timestamp and date parsing for the two deserializers, all as UTC (Firehose converts without a
 * time zone). Each parser answers epoch milliseconds (a fraction beyond milliseconds is dropped:
 * the column is TIMESTAMP_MILLIS) or undefined when the value is not a timestamp it reads.
 *
 * OpenX JSON SerDe (Firehose's documented formats): `yyyy-MM-dd'T'HH:mm:ss[.S…]'Z'` (up to 9
 * fraction digits), `yyyy-[M]M-[d]d HH:mm:ss[.S…]`, epoch seconds (1518033528), epoch
 * milliseconds (1518033528123) and floating-point epoch seconds (1518033528.123).
 * Hive JSON SerDe: java.sql.Timestamp.valueOf's `yyyy-[m]m-[d]d hh:mm:ss[.f…]` by default, or
 * the configured TimestampFormats — Joda-Time patterns, or `millis` for epoch milliseconds.
 */

const isoZulu = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const sqlTimestamp = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const sqlDate = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
/** Integral epoch values with this many digits or more are milliseconds, fewer are seconds. */
const epochMillisDigitsMin = 12;

export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, fraction = ""): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, Number((fraction + "000").slice(0, 3)));
  // Date.UTC rolls 31 February over into March; a real calendar date round-trips.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms;
}

function fromMatch(match: RegExpExecArray | null): number | undefined {
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction] = match;
  return utcMs(Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second), fraction ?? "");
}

export function parseOpenXTimestamp(value: unknown): number | undefined {
  if (typeof value === "number") return epochNumberMs(value);
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return epochNumberMs(Number(text), text.replace(/^-/, "").split(".")[0]!.length);
  return fromMatch(isoZulu.exec(text)) ?? fromMatch(sqlTimestamp.exec(text));
}

function epochNumberMs(value: number, integerDigits = String(Math.trunc(Math.abs(value))).length): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  if (Number.isInteger(value) && integerDigits >= epochMillisDigitsMin) return value;
  return Math.trunc(value * 1000);
}

export type HiveTimestampParser = (value: unknown) => number | undefined;

export function hiveTimestampParser(formats: readonly string[] | undefined): HiveTimestampParser {
  if (formats === undefined || formats.length === 0) {
    return (value) => (typeof value === "string" ? fromMatch(sqlTimestamp.exec(value.trim())) : undefined);
  }
  const parsers = formats.map(formatParser);
  return (value) => {
    for (const parse of parsers) {
      const ms = parse(value);
      if (ms !== undefined) return ms;
    }
    return undefined;
  };
}

export function parseDate(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = sqlDate.exec(value.trim());
  if (match === null) return undefined;
  const ms = utcMs(Number(match[1]), Number(match[2]), Number(match[3]));
  return ms === undefined ? undefined : ms / 86_400_000;
}

/** One TimestampFormats entry: `millis`, or a Joda-Time pattern compiled to a regular expression. */
function formatParser(format: string): HiveTimestampParser {
  if (format === "millis") {
    return (value) => {
      if (typeof value === "number" && Number.isInteger(value)) return value;
      if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value.trim());
      return undefined;
    };
  }
  const { pattern, fields } = compileJoda(format);
  return (value) => {
    if (typeof value !== "string") return undefined;
    const match = pattern.exec(value);
    if (match === null) return undefined;
    const parts: Record<string, string> = {};
    fields.forEach((field, index) => (parts[field] = match[index + 1]!));
    const year = parts.yyyy !== undefined ? Number(parts.yyyy) : parts.yy !== undefined ? 2000 + Number(parts.yy) : 1970;
    const month = parts.MMM !== undefined ? monthNames.indexOf(parts.MMM.slice(0, 3).toLowerCase()) + 1 : Number(parts.MM ?? 1);
    const hour = parts.HH !== undefined ? Number(parts.HH) : parts.hh !== undefined ? (Number(parts.hh) % 12) + (parts.a?.toUpperCase() === "PM" ? 12 : 0) : 0;
    const ms = utcMs(year, month, Number(parts.dd ?? 1), hour, Number(parts.mm ?? 0), Number(parts.ss ?? 0), parts.S ?? "");
    if (ms === undefined) return undefined;
    return ms - offsetMinutes(parts.Z) * 60_000;
  };
}

const monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

function offsetMinutes(offset: string | undefined): number {
  if (offset === undefined || offset === "Z") return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(offset)!;
  return (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/**
 * Joda-Time letters → capture groups: y (year), M (month; MMM and longer by name), d, H, h, m, s,
 * S (fraction), a (AM/PM), Z (offset: Z, +hh:mm or +hhmm); 'quoted' text and other characters
 * literally. Every field is captured under a normalised name.
 */
function compileJoda(format: string): { pattern: RegExp; fields: string[] } {
  const fields: string[] = [];
  let source = "";
  let index = 0;
  while (index < format.length) {
    const char = format[index]!;
    if (char === "'") {
      const end = format.indexOf("'", index + 1);
      const literal = end < 0 ? format.slice(index + 1) : format.slice(index + 1, end);
      source += literal === "" ? "'" : escapeRegExp(literal);
      index = end < 0 ? format.length : end + 1;
      continue;
    }
    let run = 1;
    while (format[index + run] === char) run++;
    index += run;
    const field = jodaField(char, run);
    if (field === undefined) {
      source += escapeRegExp(char.repeat(run));
      continue;
    }
    fields.push(field.name);
    source += `(${field.regex})`;
  }
  return { pattern: new RegExp(`^${source}$`, "i"), fields };
}

function jodaField(char: string, run: number): { name: string; regex: string } | undefined {
  switch (char) {
    case "y":
    case "Y":
      return run === 2 ? { name: "yy", regex: "\\d{2}" } : { name: "yyyy", regex: "\\d{4}" };
    case "M":
      return run >= 3 ? { name: "MMM", regex: "[A-Za-z]{3,9}" } : { name: "MM", regex: run === 1 ? "\\d{1,2}" : "\\d{2}" };
    case "d":
      return { name: "dd", regex: run === 1 ? "\\d{1,2}" : "\\d{2}" };
    case "H":
      return { name: "HH", regex: run === 1 ? "\\d{1,2}" : "\\d{2}" };
    case "h":
      return { name: "hh", regex: run === 1 ? "\\d{1,2}" : "\\d{2}" };
    case "m":
      return { name: "mm", regex: run === 1 ? "\\d{1,2}" : "\\d{2}" };
    case "s":
      return { name: "ss", regex: run === 1 ? "\\d{1,2}" : "\\d{2}" };
    case "S":
      return { name: "S", regex: `\\d{1,${Math.max(run, 9)}}` };
    case "a":
      return { name: "a", regex: "AM|PM" };
    case "Z":
      return { name: "Z", regex: "Z|[+-]\\d{2}:?\\d{2}" };
    default:
      return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
