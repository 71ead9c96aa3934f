/**
 * Java replacement strings (Matcher.appendReplacement, what REGEX_REPLACE's replacement is): $n
 * reads as many digits as still name a group, ${name} a named group, \x is x; a group that took
 * no part in the match inserts nothing.
 */
import type { JavaRegex } from "./java-regex.js";

/** A Java replacement string, compiled: literal text and Java group numbers. */
export type Replacement = (string | number)[];

/** Compiles a replacement as Matcher.appendReplacement reads it; throws Error as Java does. */
export function compileReplacement(replacement: string, regex: JavaRegex): Replacement {
  const parts: Replacement = [];
  let text = "";
  for (let index = 0; index < replacement.length; index += 1) {
    const ch = replacement[index]!;
    if (ch === "\\") {
      index += 1;
      if (index >= replacement.length) throw new Error("character to be escaped is missing");
      text += replacement[index];
      continue;
    }
    if (ch !== "$") {
      text += ch;
      continue;
    }
    index += 1;
    if (index >= replacement.length) throw new Error("Illegal group reference: group index is missing");
    let group: number;
    if (replacement[index] === "{") {
      const end = replacement.indexOf("}", index);
      const name = end < 0 ? undefined : replacement.slice(index + 1, end);
      const number = name === undefined ? undefined : regex.names.get(name);
      if (number === undefined) throw new Error(`No group with name {${name ?? ""}}`);
      group = number;
      index = end;
    } else {
      const digit = replacement.charCodeAt(index) - 48;
      if (digit < 0 || digit > 9) throw new Error("Illegal group reference");
      group = digit;
      while (index + 1 < replacement.length) {
        const next = replacement.charCodeAt(index + 1) - 48;
        if (next < 0 || next > 9 || group * 10 + next > regex.groupCount) break;
        group = group * 10 + next;
        index += 1;
      }
      if (group > regex.groupCount) throw new Error(`No group ${group}`);
    }
    if (text !== "") parts.push(text);
    text = "";
    parts.push(group);
  }
  if (text !== "") parts.push(text);
  return parts;
}

/** The replacement text for one match. */
export function expandReplacement(parts: Replacement, match: RegExpExecArray, regex: JavaRegex): string {
  let out = "";
  for (const part of parts) out += typeof part === "string" ? part : (match[regex.groupIndex[part]!] ?? "");
  return out;
}
