/**
 * SUBSTRING(s SIMILAR pattern ESCAPE e): the pattern is three SQL regular expressions (SIMILAR TO
 * syntax: % _ | * + ? {m,n} ( ) [ ]) separated by the escape character followed by a double
 * quote; the result is the text the middle one matches. As the reference's examples show
 * ('123456789' SIMILAR '23#"456#"78' ESCAPE '#' is '456'), the parts are searched for, not matched
 * against the whole string.
 */
import { errorNames, rowError } from "./errors.js";

const cacheEntriesMax = 32;
const cache = new Map<string, RegExp>();

function translatePart(part: string, escape: string): string {
  let out = "";
  for (let index = 0; index < part.length; index += 1) {
    const ch = part[index]!;
    if (ch === escape) {
      index += 1;
      const next = part[index];
      if (next === undefined) throw rowError(errorNames.invalidArgument, "SIMILAR pattern ends with the escape character");
      out += next.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
      continue;
    }
    switch (ch) {
      case "%":
        out += "[\\s\\S]*";
        break;
      case "_":
        out += "[\\s\\S]";
        break;
      case "(":
        out += "(?:";
        break;
      case "|":
      case ")":
      case "*":
      case "+":
      case "?":
      case "{":
      case "}":
      case ",":
        out += ch;
        break;
      case "[": {
        const end = part.indexOf("]", index + 1);
        if (end < 0) throw rowError(errorNames.invalidArgument, "SIMILAR pattern has an unclosed '['");
        out += "[" + part.slice(index + 1, end).replace(/\\/g, "\\\\") + "]";
        index = end;
        break;
      }
      default:
        out += ch.replace(/[\\^$.\]/-]/g, "\\$&");
    }
  }
  return out;
}

/** The regular expression whose group 1 is SUBSTRING … SIMILAR's result; throws a row error for a bad pattern. */
export function similarToRegex(pattern: string, escape: string): RegExp {
  const key = `${escape}\u0000${pattern}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  if (escape.length !== 1) throw rowError(errorNames.invalidArgument, `ESCAPE must be one character, not '${escape}'`);
  const parts = pattern.split(escape + '"');
  if (parts.length !== 3) throw rowError(errorNames.invalidArgument, `SIMILAR pattern needs two ${escape}" separators: '${pattern}'`);
  let regex: RegExp;
  try {
    regex = new RegExp(`(?:${translatePart(parts[0]!, escape)})(${translatePart(parts[1]!, escape)})(?:${translatePart(parts[2]!, escape)})`);
  } catch (error) {
    throw rowError(errorNames.invalidArgument, (error as Error).message);
  }
  if (cache.size >= cacheEntriesMax) cache.delete(cache.keys().next().value!);
  cache.set(key, regex);
  return regex;
}
