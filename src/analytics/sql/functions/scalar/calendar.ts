/**
 * Proleptic Gregorian calendar arithmetic on epoch milliseconds (UTC, as the service runs): civil
 * dates from day numbers and back, and rounding a datetime to a unit. Written out rather than left to
 * Date because Date.UTC maps years 0–99 to 1900–1999 (CHAR_TO_TIMESTAMP yields year 0010) and the
 * rounding runs per row.
 */

export const msPerSecond = 1000;
export const msPerMinute = 60_000;
export const msPerHour = 3_600_000;
export const msPerDay = 86_400_000;

export interface CivilDate {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
}

/** Days since 1970-01-01 of a civil date (any year, months 1–12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthIndex = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * monthIndex + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The civil date of a day number (days since 1970-01-01). */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Epoch ms of a civil date and time of day. */
export function epochMs(year: number, month: number, day: number, timeOfDayMs = 0): number {
  return daysFromCivil(year, month, day) * msPerDay + timeOfDayMs;
}

export function dayNumber(ms: number): number {
  return Math.floor(ms / msPerDay);
}

/** Milliseconds since midnight (0 ≤ result < 86,400,000, also before 1970). */
export function timeOfDay(ms: number): number {
  return ms - dayNumber(ms) * msPerDay;
}

/** Months since 1970-01 of the month containing `ms`. */
export function epochMonth(ms: number): number {
  const { year, month } = civilFromDays(dayNumber(ms));
  return (year - 1970) * 12 + month - 1;
}

/** Epoch ms of the first instant of an epoch month. */
export function monthStartMs(epochMonthIndex: number): number {
  const year = 1970 + Math.floor(epochMonthIndex / 12);
  const month = epochMonthIndex - (year - 1970) * 12 + 1;
  return epochMs(year, month, 1);
}

/** The units FLOOR/CEIL(x TO unit), STEP and EXTRACT accept (the reference lists these). */
export type DatetimeUnit = "YEAR" | "MONTH" | "DAY" | "HOUR" | "MINUTE" | "SECOND";

export const datetimeUnits: ReadonlySet<string> = new Set<DatetimeUnit>(["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"]);

const fixedUnitMs: Readonly<Record<"DAY" | "HOUR" | "MINUTE" | "SECOND", number>> = {
  DAY: msPerDay,
  HOUR: msPerHour,
  MINUTE: msPerMinute,
  SECOND: msPerSecond,
};

/** The largest value ≤ ms at the unit's precision. */
export function floorToUnit(ms: number, unit: DatetimeUnit): number {
  if (unit === "YEAR") return epochMs(civilFromDays(dayNumber(ms)).year, 1, 1);
  if (unit === "MONTH") return monthStartMs(epochMonth(ms));
  const size = fixedUnitMs[unit];
  return Math.floor(ms / size) * size;
}

/** The smallest value ≥ ms at the unit's precision. */
export function ceilToUnit(ms: number, unit: DatetimeUnit): number {
  const floor = floorToUnit(ms, unit);
  if (floor === ms) return ms;
  if (unit === "YEAR") return epochMs(civilFromDays(dayNumber(ms)).year + 1, 1, 1);
  if (unit === "MONTH") return monthStartMs(epochMonth(ms) + 1);
  return floor + fixedUnitMs[unit];
}

/** ISO day of week of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function isoDayOfWeek(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1;
}
