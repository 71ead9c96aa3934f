/**
 * IndexRotationPeriod: Firehose appends part of each document's UTC arrival time to IndexName —
 * NoRotation `myindex`, OneHour `myindex-2016-02-25-13`, OneDay `myindex-2016-02-25`, OneWeek
 * `myindex-2016-w08`, OneMonth `myindex-2016-02` (the example in AWS's "Configure index rotation").
 * The week number is the ISO week (Monday first, week 1 holds the year's first Thursday), which is
 * what gives AWS's example w08 for 2016-02-25 with the calendar year before it; the prose rule
 * AWS gives beside it (Sunday-first weeks, week 1 the first holding a Saturday) would give w09 for
 * that date, so the example is what we follow.
 */
export type IndexRotationPeriod = "NoRotation" | "OneHour" | "OneDay" | "OneWeek" | "OneMonth";

const pad = (value: number): string => String(value).padStart(2, "0");

/** ISO 8601 week number (1–53) of a UTC date. */
export function isoWeek(atMs: number): number {
  const at = new Date(atMs);
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = day + (3 - weekday) * 86_400_000;
  const yearStart = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return Math.floor((thursday - yearStart) / 86_400_000 / 7) + 1;
}

export function rotatedIndexName(indexName: string, period: IndexRotationPeriod | undefined, arrivalMs: number): string {
  const at = new Date(arrivalMs);
  const year = at.getUTCFullYear();
  const month = pad(at.getUTCMonth() + 1);
  const day = pad(at.getUTCDate());
  switch (period ?? "OneDay") {
    case "NoRotation":
      return indexName;
    case "OneHour":
      return `${indexName}-${year}-${month}-${day}-${pad(at.getUTCHours())}`;
    case "OneDay":
      return `${indexName}-${year}-${month}-${day}`;
    case "OneWeek":
      return `${indexName}-${year}-w${pad(isoWeek(arrivalMs))}`;
    case "OneMonth":
      return `${indexName}-${year}-${month}`;
  }
}
