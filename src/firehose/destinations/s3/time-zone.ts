/**
 * CustomTimeZone (ExtendedS3DestinationConfiguration): the IANA zone whose local time the prefix's
 * `!{timestamp:…}`, the default `yyyy/MM/dd/HH/` and the object name's time use. The output module
 * takes an offset in minutes; this resolves it for an instant through Intl (so daylight saving
 * follows the zone's rules at that instant).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Whether Node knows the zone (an empty or absent CustomTimeZone means UTC). */
export function isKnownTimeZone(zone: string | undefined): boolean {
  if (zone === undefined || zone === "") return true;
  try {
    formatterOf(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at `atMs`, in minutes (0 for UTC, no zone or an empty one). */
export function offsetMinutesOf(zone: string | undefined, atMs: number): number {
  if (zone === undefined || zone === "" || zone === "UTC") return 0;
  const name = formatterOf(zone).formatToParts(new Date(atMs)).find((part) => part.type === "timeZoneName")?.value ?? "GMT";
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (match === null) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === "-" ? -minutes : minutes;
}
