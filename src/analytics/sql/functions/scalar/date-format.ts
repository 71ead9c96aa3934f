/**
 * The reference's date and time patterns ("Date and Time Patterns": java.text.SimpleDateFormat in
 * the UTC zone and the US locale): compiling a pattern and formatting with it. Parsing is in
 * date-parse.ts. Pattern letters outside quotes must be one of Java's ('Illegal pattern character'
 * otherwise); text in single quotes is literal and '' is one quote.
 */
import { civilFromDays, dayNumber, daysFromCivil, isoDayOfWeek, timeOfDay } from "./calendar.js";

export type FormatToken = { kind: "literal"; text: string } | { kind: "field"; letter: string; count: number };

export interface CompiledDateFormat {
  pattern: string;
  tokens: readonly FormatToken[];
}

/** Java's pattern letters (SimpleDateFormat, JDK 8). */
const patternLetters = "GyMdkHmsSEDFwWahKzZYuXL";

export const monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
export const shortMonthNames = monthNames.map((name) => name.slice(0, 3));
/** Index 0 = Sunday, as java.util.Calendar numbers DAY_OF_WEEK from 1 = Sunday. */
export const weekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
export const shortWeekdayNames = weekdayNames.map((name) => name.slice(0, 3));

/** Compiles a pattern; throws Error with Java's message for a bad one. */
export function compileDateFormat(pattern: string): CompiledDateFormat {
  const tokens: FormatToken[] = [];
  const literal = (text: string) => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === "literal") last.text += text;
    else tokens.push({ kind: "literal", text });
  };
  let index = 0;
  while (index < pattern.length) {
    const ch = pattern[index]!;
    if (ch === "'") {
      if (pattern[index + 1] === "'") {
        literal("'");
        index += 2;
        continue;
      }
      let text = "";
      index += 1;
      for (;;) {
        if (index >= pattern.length) throw new Error("Unterminated quote");
        if (pattern[index] === "'") {
          if (pattern[index + 1] === "'") {
            text += "'";
            index += 2;
            continue;
          }
          index += 1;
          break;
        }
        text += pattern[index];
        index += 1;
      }
      literal(text);
      continue;
    }
    if ((ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z")) {
      if (!patternLetters.includes(ch)) throw new Error(`Illegal pattern character '${ch}'`);
      let count = 1;
      while (pattern[index + count] === ch) count += 1;
      tokens.push({ kind: "field", letter: ch, count });
      index += count;
      continue;
    }
    literal(ch);
    index += 1;
  }
  return { pattern, tokens };
}

function pad(value: number, width: number): string {
  const digits = String(value);
  return digits.length >= width ? digits : "0".repeat(width - digits.length) + digits;
}

/** Day of the week, 0 = Sunday. */
function weekday(days: number): number {
  return isoDayOfWeek(days) % 7;
}

/** Week of the year as the US locale counts it (weeks start on Sunday; week 1 holds January 1). */
export function usWeekOfYear(days: number): { weekYear: number; week: number } {
  const { year } = civilFromDays(days);
  const nextJan1 = daysFromCivil(year + 1, 1, 1);
  // The week (Sunday..Saturday) holding next January 1 is already week 1 of the next year.
  if (days >= nextJan1 - weekday(nextJan1)) return { weekYear: year + 1, week: 1 };
  const jan1 = daysFromCivil(year, 1, 1);
  return { weekYear: year, week: Math.floor((days - jan1 + weekday(jan1)) / 7) + 1 };
}

function formatField(letter: string, count: number, ms: number): string {
  const days = dayNumber(ms);
  const civil = civilFromDays(days);
  const clock = timeOfDay(ms);
  const hour = Math.floor(clock / 3_600_000);
  const yearOfEra = civil.year > 0 ? civil.year : 1 - civil.year;
  switch (letter) {
    case "G":
      return civil.year > 0 ? "AD" : "BC";
    case "y":
      return count === 2 ? pad(yearOfEra % 100, 2) : pad(yearOfEra, count);
    case "Y": {
      const { weekYear } = usWeekOfYear(days);
      return count === 2 ? pad(weekYear % 100, 2) : pad(weekYear, count);
    }
    case "M":
    case "L":
      if (count >= 4) return monthNames[civil.month - 1]!;
      if (count === 3) return shortMonthNames[civil.month - 1]!;
      return pad(civil.month, count);
    case "w":
      return pad(usWeekOfYear(days).week, count);
    case "W":
      return pad(Math.floor((civil.day - 1 + weekday(days - civil.day + 1)) / 7) + 1, count);
    case "D":
      return pad(days - daysFromCivil(civil.year, 1, 1) + 1, count);
    case "d":
      return pad(civil.day, count);
    case "F":
      return pad(Math.floor((civil.day - 1) / 7) + 1, count);
    case "E":
      return count >= 4 ? weekdayNames[weekday(days)]! : shortWeekdayNames[weekday(days)]!;
    case "u":
      return pad(isoDayOfWeek(days), count);
    case "a":
      return hour < 12 ? "AM" : "PM";
    case "H":
      return pad(hour, count);
    case "k":
      return pad(hour === 0 ? 24 : hour, count);
    case "K":
      return pad(hour % 12, count);
    case "h":
      return pad(hour % 12 === 0 ? 12 : hour % 12, count);
    case "m":
      return pad(Math.floor(clock / 60_000) % 60, count);
    case "s":
      return pad(Math.floor(clock / 1000) % 60, count);
    case "S":
      return pad(clock % 1000, count);
    case "z":
      return count >= 4 ? "Coordinated Universal Time" : "UTC";
    case "Z":
      return "+0000";
    case "X":
      return "Z";
    default:
      throw new Error(`Illegal pattern character '${letter}'`);
  }
}

/** Formats epoch ms (UTC) with a compiled pattern. */
export function formatDate(format: CompiledDateFormat, ms: number): string {
  let out = "";
  for (const token of format.tokens) out += token.kind === "literal" ? token.text : formatField(token.letter, token.count, ms);
  return out;
}
