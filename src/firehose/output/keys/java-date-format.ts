/**
 * Java's DateTimeFormatter.ofPattern(pattern, Locale.US) applied to an instant, for the
 * `!{timestamp:<pattern>}` prefix namespace (Firehose evaluates prefixes on the JVM; the docs
 * name DateTimeFormatter). Grammar (java.time.format.DateTimeFormatterBuilder.appendPattern):
 *
 *   pattern  = (letters | 'quoted text' | '' | [ | ] | p+ letters | other)*
 *   letters  = a run of one pattern letter, its count choosing the field's style
 *
 * Letters: G u y Y Q q M L w W d D F E e c a h K k H m s S A n N V z O X x Z. Other ASCII letters
 * and `{ } #` are reserved and make the pattern invalid, as in Java; `[` `]` mark optional
 * sections (always printed: every field is available); `p` pads the next item with spaces.
 * Text (month and day names, AM/PM, eras) is Locale.US English. Times are in UTC (a ZoneOffset:
 * `VV` and `z` print `Z`) unless the caller gives CustomTimeZone's offset at the instant.
 */
export class DatePatternError extends Error {}

const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const quarterNames = ["1st quarter", "2nd quarter", "3rd quarter", "4th quarter"];
const countMax: Readonly<Record<string, number>> = {
  G: 5, u: 19, y: 19, Y: 19, Q: 5, q: 5, M: 5, L: 5, w: 2, W: 1, d: 2, D: 3, F: 1, E: 5, e: 5, c: 5,
  a: 1, h: 2, K: 2, k: 2, H: 2, m: 2, s: 2, S: 9, A: 19, n: 19, N: 19, V: 2, z: 4, O: 4, X: 5, x: 5, Z: 5,
};

interface Fields {
  readonly year: number; // proleptic
  readonly month: number; // 1-12
  readonly day: number;
  readonly dayOfYear: number;
  readonly isoDayOfWeek: number; // 1 = Monday
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly milli: number;
  readonly offsetMinutes: number;
}

type Item = (fields: Fields) => string;

/** Compiles a pattern once; throws DatePatternError for what Java's ofPattern rejects. */
export function compileDatePattern(pattern: string): (epochMs: number, offsetMinutes?: number) => string {
  const items = parse(pattern);
  return (epochMs, offsetMinutes = 0) => {
    const fields = fieldsOf(epochMs, offsetMinutes);
    let out = "";
    for (const item of items) out += item(fields);
    return out;
  };
}

export function formatDate(pattern: string, epochMs: number, offsetMinutes = 0): string {
  return compileDatePattern(pattern)(epochMs, offsetMinutes);
}

function parse(pattern: string): Item[] {
  const items: Item[] = [];
  let optionalDepth = 0;
  let padWidth = 0;
  const push = (item: Item): void => {
    if (padWidth > 0) {
      const width = padWidth;
      items.push((fields) => item(fields).padStart(width, " "));
      padWidth = 0;
    } else {
      items.push(item);
    }
  };
  for (let i = 0; i < pattern.length; ) {
    const char = pattern[i]!;
    if (isLetter(char)) {
      let count = 1;
      while (pattern[i + count] === char) count++;
      i += count;
      if (char === "p") {
        padWidth = count;
        continue;
      }
      push(letterItem(char, count));
    } else if (char === "'") {
      // '' is a quote; inside quoted text too ('o''clock' is o'clock).
      if (pattern[i + 1] === "'") {
        push(() => "'");
        i += 2;
        continue;
      }
      let literal = "";
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) throw new DatePatternError(`Pattern ends with an incomplete string literal: ${pattern}`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] !== "'") break;
          literal += "'";
          j += 2;
          continue;
        }
        literal += pattern[j];
        j++;
      }
      push(() => literal);
      i = j + 1;
    } else if (char === "[") {
      optionalDepth++;
      i++;
    } else if (char === "]") {
      if (optionalDepth === 0) throw new DatePatternError("Pattern invalid as it contains ] without previous [");
      optionalDepth--;
      i++;
    } else if (char === "{" || char === "}" || char === "#") {
      throw new DatePatternError(`Pattern includes reserved character: '${char}'`);
    } else {
      push(() => char);
      i++;
    }
  }
  return items;
}

function isLetter(char: string): boolean {
  return (char >= "A" && char <= "Z") || (char >= "a" && char <= "z");
}

function number(value: number, width: number): string {
  const text = String(Math.abs(value)).padStart(width, "0");
  return value < 0 ? "-" + text : text;
}

function text(full: string, count: number, narrowFromFull = true): string {
  if (count <= 3) return full.slice(0, 3);
  if (count === 4) return full;
  return narrowFromFull ? full[0]! : full;
}

function letterItem(letter: string, count: number): Item {
  const max = countMax[letter];
  if (max === undefined) throw new DatePatternError(`Unknown pattern letter: ${letter}`);
  if (count > max) throw new DatePatternError(`Too many pattern letters: ${letter}`);
  switch (letter) {
    case "G":
      return (f) => (count === 4 ? (f.year > 0 ? "Anno Domini" : "Before Christ") : count === 5 ? (f.year > 0 ? "A" : "B") : f.year > 0 ? "AD" : "BC");
    case "u":
    case "y":
      return (f) => {
        const year = letter === "y" && f.year <= 0 ? 1 - f.year : f.year;
        if (count === 2) return number(((year % 100) + 100) % 100, 2);
        const textYear = number(year, count);
        // SignStyle.EXCEEDS_PAD: a year wider than four letters' padding gets a '+'.
        return count >= 4 && year > 9999 && String(year).length > count ? "+" + textYear : textYear;
      };
    case "Y":
      return (f) => {
        const weekYear = usWeek(f).weekYear;
        return count === 2 ? number(weekYear % 100, 2) : number(weekYear, count);
      };
    case "Q":
    case "q":
      return (f) => {
        const quarter = Math.floor((f.month - 1) / 3) + 1;
        if (count <= 2) return number(quarter, count);
        if (count === 3) return `Q${quarter}`;
        return count === 4 ? quarterNames[quarter - 1]! : String(quarter);
      };
    case "M":
    case "L":
      return (f) => (count <= 2 ? number(f.month, count) : text(months[f.month - 1]!, count));
    case "w":
      return (f) => number(usWeek(f).week, count);
    case "W":
      return (f) => number(weekOfMonth(f), count);
    case "d":
      return (f) => number(f.day, count);
    case "D":
      return (f) => number(f.dayOfYear, count);
    case "F":
      // Java 9+ maps F to ALIGNED_DAY_OF_WEEK_IN_MONTH.
      return (f) => number(((f.day - 1) % 7) + 1, count);
    case "E":
      return (f) => text(days[f.isoDayOfWeek - 1]!, count);
    case "e":
    case "c":
      // Localized day-of-week: Locale.US weeks start on Sunday (Sunday = 1).
      return (f) => (count <= 2 ? number((f.isoDayOfWeek % 7) + 1, count) : text(days[f.isoDayOfWeek - 1]!, count));
    case "a":
      return (f) => (f.hour < 12 ? "AM" : "PM");
    case "h":
      return (f) => number(f.hour % 12 === 0 ? 12 : f.hour % 12, count);
    case "K":
      return (f) => number(f.hour % 12, count);
    case "k":
      return (f) => number(f.hour === 0 ? 24 : f.hour, count);
    case "H":
      return (f) => number(f.hour, count);
    case "m":
      return (f) => number(f.minute, count);
    case "s":
      return (f) => number(f.second, count);
    case "S":
      return (f) => String(f.milli * 1_000_000).padStart(9, "0").slice(0, count);
    case "A":
      return (f) => number(((f.hour * 60 + f.minute) * 60 + f.second) * 1000 + f.milli, count);
    case "n":
      return (f) => number(f.milli * 1_000_000, count);
    case "N":
      return (f) => number((((f.hour * 60 + f.minute) * 60 + f.second) * 1000 + f.milli) * 1_000_000, count);
    case "V":
      if (count !== 2) throw new DatePatternError("Pattern letter count must be 2: V");
      return (f) => (f.offsetMinutes === 0 ? "Z" : offset(f.offsetMinutes, true, true));
    case "z":
      // The zone is a ZoneOffset (UTC, or CustomTimeZone's offset): its id is its name.
      return (f) => (f.offsetMinutes === 0 ? "Z" : offset(f.offsetMinutes, true, true));
    case "O":
      if (count !== 1 && count !== 4) throw new DatePatternError("Pattern letter count must be 1 or 4: O");
      return (f) => (f.offsetMinutes === 0 ? "GMT" : "GMT" + (count === 1 ? shortOffset(f.offsetMinutes) : offset(f.offsetMinutes, true, true)));
    case "X":
    case "x":
      return (f) => {
        if (letter === "X" && f.offsetMinutes === 0) return "Z";
        if (count === 1) return offset(f.offsetMinutes, false, false).slice(0, f.offsetMinutes % 60 === 0 ? 3 : 5);
        return offset(f.offsetMinutes, count === 3 || count === 5, true);
      };
    default: // "Z"
      return (f) => {
        if (count <= 3) return offset(f.offsetMinutes, false, true);
        if (count === 4) return f.offsetMinutes === 0 ? "GMT" : "GMT" + offset(f.offsetMinutes, true, true);
        return f.offsetMinutes === 0 ? "Z" : offset(f.offsetMinutes, true, true);
      };
  }
}

function offset(minutes: number, colon: boolean, withMinutes: boolean): string {
  const sign = minutes < 0 ? "-" : "+";
  const hours = String(Math.floor(Math.abs(minutes) / 60)).padStart(2, "0");
  const rest = String(Math.abs(minutes) % 60).padStart(2, "0");
  return withMinutes ? `${sign}${hours}${colon ? ":" : ""}${rest}` : `${sign}${hours}${rest}`;
}

function shortOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const hours = Math.floor(Math.abs(minutes) / 60);
  const rest = Math.abs(minutes) % 60;
  return rest === 0 ? `${sign}${hours}` : `${sign}${hours}:${String(rest).padStart(2, "0")}`;
}

function fieldsOf(epochMs: number, offsetMinutes: number): Fields {
  const at = new Date(epochMs + offsetMinutes * 60_000);
  const year = at.getUTCFullYear();
  const startOfYear = Date.UTC(year, 0, 1);
  const midnight = Date.UTC(year, at.getUTCMonth(), at.getUTCDate());
  return {
    year,
    month: at.getUTCMonth() + 1,
    day: at.getUTCDate(),
    dayOfYear: Math.round((midnight - startOfYear) / 86_400_000) + 1,
    isoDayOfWeek: ((at.getUTCDay() + 6) % 7) + 1,
    hour: at.getUTCHours(),
    minute: at.getUTCMinutes(),
    second: at.getUTCSeconds(),
    milli: at.getUTCMilliseconds(),
    offsetMinutes,
  };
}

/**
 * Week and week-based year of Locale.US (WeekFields.SUNDAY_START: weeks start on Sunday, week 1
 * is the one holding January 1st), what `w` and `Y` print under Locale.US.
 */
function usWeek(f: Fields): { week: number; weekYear: number } {
  const weekOfYear = (year: number, dayOfYear: number): number => {
    const jan1Dow = new Date(Date.UTC(year, 0, 1)).getUTCDay(); // 0 = Sunday
    return Math.floor((dayOfYear - 1 + jan1Dow) / 7) + 1;
  };
  // The days of late December in the week that holds next January 1st are week 1 of next year.
  const sunday = Date.UTC(f.year, f.month - 1, f.day) - (f.isoDayOfWeek % 7) * 86_400_000;
  const saturday = new Date(sunday + 6 * 86_400_000);
  if (saturday.getUTCFullYear() > f.year) return { week: 1, weekYear: f.year + 1 };
  return { week: weekOfYear(f.year, f.dayOfYear), weekYear: f.year };
}

/** Week of month with Sunday-start weeks and a minimal first week of 1 day (Locale.US). */
function weekOfMonth(f: Fields): number {
  const firstDow = (new Date(Date.UTC(f.year, f.month - 1, 1)).getUTCDay() + 0) % 7; // 0 = Sunday
  return Math.floor((f.day - 1 + firstDow) / 7) + 1;
}
