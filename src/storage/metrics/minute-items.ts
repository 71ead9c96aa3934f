/**
 * How one-minute metric data is laid out as items of the engine's TableStore (docs/metrics.md,
 * "Storage layout"). Pure: keys and values in, keys and values out.
 *
 * Every node (process) writes only items whose key ends in its own node id, so two nodes on one
 * engine never write the same item; readers merge every node's items.
 *
 *   minutes   key   `m|<series>|<hourStartMs, 15 digits>|<nodeId>`
 *             value `{"v":1,"m":[[minuteOfHour,SampleCount,Sum,Minimum,Maximum],…]}`: the node's
 *                   closed minutes of that series in that hour, rewritten whole as each minute closes
 *                   (a few dozen entries at most), so a series costs one small write a minute.
 *   directory key   `d|<series>|<nodeId>`
 *             value `{"v":2,"id":{Namespace,MetricName,Dimensions,AccountId},"unit":…,"untilMs":…}`:
 *                   that the node wrote minutes of the series up to `untilMs` (the end of the last
 *                   hour it wrote), so ListMetrics finds series recorded before a restart without
 *                   reading their minutes. Rewritten once an hour per active series.
 *
 * `<series>` is `<AccountId>/<Namespace>/<MetricName>/<Name>=<Value>&…` (dimensions sorted by
 * name), each part percent-encoded by encodeURIComponent: printable ASCII that never holds `|`,
 * `/`, `=` or `&`, so one series' items are one contiguous key range no other series' key falls
 * into, whatever its dimension values hold, and one account's directory items are one range (its
 * ListMetrics reads only them). Hours are padded so key order is time order within a series.
 *
 * Items written before series had accounts (directory "v":1, `<series>` without its account
 * part: one `/` fewer, so never equal to a new one) are the process's account's: the store reads
 * them with that account's series (legacySeriesKeyPart) until the retention sweeps them away.
 */
import type { MetricId, MetricUnit, StatisticSet } from "../../core/metrics.js";

export const minuteMs = 60_000;
export const hourMs = 60 * minuteMs;
/** The minute items' value format. */
export const itemFormatVersion = 1;
/** The directory items' value format: 2 names the series' account, 1 (legacy) did not. */
export const directoryFormatVersion = 2;
const legacyDirectoryFormatVersion = 1;

const hourDigits = 15;
export const minutesPrefix = "m|";
export const directoryPrefix = "d|";

/** A stored series' id: it always names its account. */
export type AccountMetricId = MetricId & { readonly AccountId: string };

/** The `<series>` part of a series' keys. */
export function seriesKeyPart(id: AccountMetricId): string {
  return `${encodeURIComponent(id.AccountId)}/${legacySeriesKeyPart(id)}`;
}

/** The `<series>` part items written before series had accounts have (the process's account's). */
export function legacySeriesKeyPart(id: MetricId): string {
  const dimensions = [...id.Dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  return `${encodeURIComponent(id.Namespace)}/${encodeURIComponent(id.MetricName)}/${dimensions.map((d) => `${encodeURIComponent(d.Name)}=${encodeURIComponent(d.Value)}`).join("&")}`;
}

/** Where a series' minute items start: every key of them begins with this, and no other key does. */
export function seriesMinutesPrefix(seriesPart: string): string {
  return `${minutesPrefix}${seriesPart}|`;
}

/** The key of one node's minutes of a series in one hour. */
export function minutesKey(seriesPart: string, hourStartMs: number, nodeId: string): string {
  return `${seriesMinutesPrefix(seriesPart)}${hourText(hourStartMs)}|${nodeId}`;
}

/**
 * A key just below every minute item of the series from `hourStartMs` on (a scan's exclusive
 * start): `…|<hour>` sorts after every earlier hour's keys and before `…|<hour>|<node>`.
 */
export function minutesScanStart(seriesPart: string, hourStartMs: number): string {
  return `${seriesMinutesPrefix(seriesPart)}${hourText(hourStartMs)}`;
}

export function directoryKey(seriesPart: string, nodeId: string): string {
  return `${directoryPrefix}${seriesPart}|${nodeId}`;
}

/**
 * The directory keys of one account's series (of one namespace, and metric name), or of every
 * account's (accountId undefined: all of the directory): a prefix to scan. `legacy` gives the
 * prefix of the items written before series had accounts instead (accountId is then ignored).
 */
export function directoryScanPrefix(accountId: string | undefined, namespace: string | undefined, metricName: string | undefined, legacy = false): string {
  if (accountId === undefined && !legacy) return directoryPrefix;
  let prefix = legacy ? directoryPrefix : `${directoryPrefix}${encodeURIComponent(accountId!)}/`;
  if (namespace === undefined) return prefix;
  prefix += `${encodeURIComponent(namespace)}/`;
  return metricName === undefined ? prefix : `${prefix}${encodeURIComponent(metricName)}/`;
}

function hourText(hourStartMs: number): string {
  return String(hourStartMs).padStart(hourDigits, "0");
}

/** A minute item's key split up, or undefined for a key that is not one. */
export function parseMinutesKey(key: string): { hourStartMs: number; nodeId: string } | undefined {
  if (!key.startsWith(minutesPrefix)) return undefined;
  const nodeAt = key.lastIndexOf("|");
  const hourAt = key.lastIndexOf("|", nodeAt - 1);
  if (hourAt < minutesPrefix.length || nodeAt - hourAt - 1 !== hourDigits) return undefined;
  const hourStartMs = Number(key.slice(hourAt + 1, nodeAt));
  if (!Number.isSafeInteger(hourStartMs) || hourStartMs % hourMs !== 0) return undefined;
  return { hourStartMs, nodeId: key.slice(nodeAt + 1) };
}

/** One minute's entry as it appears inside a minute item's list (without the brackets' neighbours). */
export function minuteEntryText(minuteStartMs: number, stats: StatisticSet): string {
  return `[${(minuteStartMs % hourMs) / minuteMs},${stats.SampleCount},${numberText(stats.Sum)},${numberText(stats.Minimum)},${numberText(stats.Maximum)}]`;
}

/** JSON has no NaN or infinities: a sample that was one (a caller's bug) is kept as null and read back as no data. */
function numberText(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/** A minute item's value from its entries' text (minuteEntryText, joined by commas). */
export function minutesValue(entriesText: string): string {
  return `{"v":${itemFormatVersion},"m":[${entriesText}]}`;
}

/**
 * The minutes a minute item holds, as (minuteStartMs, stats) pairs; a damaged or foreign value
 * (another format version) yields none, as a stored outcome rather than an exception.
 */
export function* readMinutes(hourStartMs: number, value: string): Generator<[number, StatisticSet]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return;
  }
  if (typeof parsed !== "object" || parsed === null || (parsed as { v?: unknown }).v !== itemFormatVersion) return;
  const entries = (parsed as { m?: unknown }).m;
  if (!Array.isArray(entries)) return;
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 5 || !entry.every((n) => typeof n === "number")) continue;
    const [minute, SampleCount, Sum, Minimum, Maximum] = entry as [number, number, number, number, number];
    if (!Number.isInteger(minute) || minute < 0 || minute >= 60 || SampleCount <= 0) continue;
    yield [hourStartMs + minute * minuteMs, { SampleCount, Sum, Minimum, Maximum }];
  }
}

export interface DirectoryEntry {
  id: AccountMetricId;
  unit: MetricUnit;
  /** The end of the last hour of minutes the node wrote for the series. */
  untilMs: number;
}

/** The directory item of a series; its id names its account (the store's series all do). */
export function directoryValue(entry: DirectoryEntry): string {
  const { Namespace, MetricName, Dimensions, AccountId } = entry.id;
  return JSON.stringify({ v: directoryFormatVersion, id: { Namespace, MetricName, Dimensions, AccountId }, unit: entry.unit, untilMs: entry.untilMs });
}

/**
 * A directory item's entry, its id always with an account: a legacy item's (format 1, written
 * before series had accounts) is `legacyAccountId`'s, the process's. Undefined for a damaged or
 * foreign value.
 */
export function readDirectory(value: string, legacyAccountId: string): DirectoryEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { v, id, unit, untilMs } = parsed as { v?: unknown; id?: unknown; unit?: unknown; untilMs?: unknown };
  if (typeof unit !== "string" || typeof untilMs !== "number" || !isMetricId(id)) return undefined;
  if (v === directoryFormatVersion && typeof id.AccountId === "string") return { id: id as AccountMetricId, unit: unit as MetricUnit, untilMs };
  if (v === legacyDirectoryFormatVersion) return { id: { Namespace: id.Namespace, MetricName: id.MetricName, Dimensions: id.Dimensions, AccountId: legacyAccountId }, unit: unit as MetricUnit, untilMs };
  return undefined;
}

function isMetricId(id: unknown): id is MetricId {
  if (typeof id !== "object" || id === null) return false;
  const { Namespace, MetricName, Dimensions } = id as Record<string, unknown>;
  return (
    typeof Namespace === "string" &&
    typeof MetricName === "string" &&
    Array.isArray(Dimensions) &&
    Dimensions.every((d) => typeof d === "object" && d !== null && typeof (d as Record<string, unknown>).Name === "string" && typeof (d as Record<string, unknown>).Value === "string")
  );
}
