/**
 * Date-time text as records carry it and as rows are written out: "1992-02-14",
 * "1992-02-14 18:35:44.0", and the ISO form with a T that producers such as Python's isoformat()
 * write (the developer guide's stagger-window example maps one to a TIMESTAMP column). Values are
 * those of types.ts: epoch milliseconds UTC; TIME as milliseconds since midnight. Pure.
 */

const msPerSecond = 1000;
const msPerMinute = 60_000;
const msPerHour = 3_600_000;
export const msPerDay = 86_400_000;

const timestampPattern = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]00:?00)?\s*$/;
const timePattern = /^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?\s*$/;

function fractionMs(digits: string | undefined): number {
  return digits === undefined ? 0 : Number((digits + "00").slice(0, 3));
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A timestamp (or a date alone: midnight) → epoch ms; undefined when the text is no such form. */
export function parseTimestampText(text: string): number | undefined {
  const match = timestampPattern.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [hour, minute, second] = [Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, fractionMs(match[7]));
}

/** A date → epoch ms at midnight UTC; a timestamp's time of day is dropped, as a cast would. */
export function parseDateText(text: string): number | undefined {
  const ms = parseTimestampText(text);
  return ms === undefined ? undefined : Math.floor(ms / msPerDay) * msPerDay;
}

export function parseTimeText(text: string): number | undefined {
  const match = timePattern.exec(text);
  if (match === null) return undefined;
  const [hour, minute, second] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return hour * msPerHour + minute * msPerMinute + second * msPerSecond + fractionMs(match[4]);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** Epoch ms → "YYYY-MM-DD HH:MM:SS.fff" (UTC). */
export function formatTimestampText(ms: number): string {
  const date = new Date(ms);
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)} ` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.${pad(date.getUTCMilliseconds(), 3)}`
  );
}

export function formatDateText(ms: number): string {
  return formatTimestampText(ms).slice(0, 10);
}

export function formatTimeText(ms: number): string {
  const day = ((ms % msPerDay) + msPerDay) % msPerDay;
  return `${pad(Math.floor(day / msPerHour), 2)}:${pad(Math.floor(day / msPerMinute) % 60, 2)}:${pad(Math.floor(day / msPerSecond) % 60, 2)}`;
}
