/**
 * String and search functions (the reference's "String and Search Functions"): CHAR_LENGTH /
 * CHARACTER_LENGTH, INITCAP, LOWER, UPPER, OVERLAY, POSITION, REGEX_REPLACE, SUBSTRING (positional,
 * regular-expression and SIMILAR … ESCAPE forms) and TRIM. Nulls give null unless noted; positions
 * are 1-based characters (UTF-16 units, as Java's String counts them).
 */
import type { ScalarFunction } from "../contracts.js";
import type { SqlType } from "../../types.js";
import { errorNames, rowError } from "./errors.js";
import { compileReplacement, expandReplacement } from "./java-replacement.js";
import { patternSource } from "./regex-cache.js";
import { similarToRegex } from "./similar-pattern.js";
import {
  cannotApply,
  constantString,
  integer,
  isCharacter,
  isNumeric,
  isWholeNumber,
  ok,
  symbolValue,
  varchar,
  varcharMaxLength,
  wrongArgumentCount,
} from "./types.js";

const lengthOf = (type: SqlType): number => type.precision ?? varcharMaxLength;
const resultVarchar = (length: number): SqlType => varchar(Math.min(length, varcharMaxLength));

function charLength(name: string): ScalarFunction {
  return {
    name,
    resolve(args) {
      if (args.length !== 1) return wrongArgumentCount(name, "1");
      if (!isCharacter(args[0]!)) return cannotApply(name, args, [`${name}(<CHARACTER>)`]);
      return ok({ type: integer, strict: true, evaluate: ([value]) => (value as string).length });
    },
  };
}

function caseMapping(name: string, map: (value: string) => string): ScalarFunction {
  return {
    name,
    resolve(args) {
      if (args.length !== 1) return wrongArgumentCount(name, "1");
      const [type] = args as [SqlType];
      if (!isCharacter(type)) return cannotApply(name, args, [`${name}(<CHARACTER>)`]);
      return ok({ type: type.name === "NULL" ? varchar(0) : type, strict: true, evaluate: ([value]) => map(value as string) });
    },
  };
}

/** Upper-cases the first character of each whitespace-delimited word and lower-cases the rest. */
export function initcap(value: string): string {
  let out = "";
  let wordStart = true;
  for (const ch of value) {
    if (/\s/.test(ch)) {
      out += ch;
      wordStart = true;
    } else {
      out += wordStart ? ch.toUpperCase() : ch.toLowerCase();
      wordStart = false;
    }
  }
  return out;
}

const overlay: ScalarFunction = {
  name: "OVERLAY",
  resolve(args) {
    if (args.length !== 3 && args.length !== 4) return wrongArgumentCount("OVERLAY", "3 or 4");
    const [source, replacement, ...numbers] = args as [SqlType, SqlType, ...SqlType[]];
    if (!isCharacter(source) || !isCharacter(replacement) || !numbers.every(isWholeNumber)) {
      return cannotApply("OVERLAY", args, ["OVERLAY(<STRING> PLACING <STRING> FROM <INTEGER>)", "OVERLAY(<STRING> PLACING <STRING> FROM <INTEGER> FOR <INTEGER>)"]);
    }
    return ok({
      type: resultVarchar(lengthOf(source) + lengthOf(replacement)),
      strict: true,
      evaluate([value, placing, start, length]) {
        const text = value as string;
        const inserted = placing as string;
        const forLength = length === undefined ? inserted.length : (length as number);
        if (forLength < 0) throw rowError(errorNames.substring, `OVERLAY length ${forLength} is negative`);
        const from = (start as number) - 1;
        return text.slice(0, Math.max(0, from)) + inserted + text.slice(Math.max(0, from + forLength));
      },
    });
  },
};

const position: ScalarFunction = {
  name: "POSITION",
  resolve(args) {
    if (args.length !== 2 && args.length !== 3) return wrongArgumentCount("POSITION", "2 or 3");
    if (!isCharacter(args[0]!) || !isCharacter(args[1]!) || (args[2] !== undefined && !isWholeNumber(args[2]))) {
      return cannotApply("POSITION", args, ["POSITION(<STRING> IN <STRING>)", "POSITION(<STRING> IN <STRING> FROM <INTEGER>)"]);
    }
    return ok({
      type: integer,
      strict: true,
      evaluate([needle, haystack, from]) {
        const start = from === undefined ? 0 : Math.max(0, (from as number) - 1);
        const text = haystack as string;
        if (start > text.length) return 0;
        return (text.indexOf(needle as string, start) + 1);
      },
    });
  },
};

const regexReplace: ScalarFunction = {
  name: "REGEX_REPLACE",
  resolve(args, constants) {
    if (args.length !== 5) return wrongArgumentCount("REGEX_REPLACE", "5");
    const [original, regex, replacement, start, occurrence] = args as [SqlType, SqlType, SqlType, SqlType, SqlType];
    if (![original, regex, replacement].every(isCharacter) || !isWholeNumber(start) || !isWholeNumber(occurrence)) {
      return cannotApply("REGEX_REPLACE", args, ["REGEX_REPLACE(<VARCHAR>, <VARCHAR>, <VARCHAR>, <INTEGER>, <INTEGER>)"]);
    }
    const patterns = patternSource(constantString(constants[1]));
    return ok({
      type: varchar(varcharMaxLength),
      strict: true,
      evaluate([value, pattern, replacementText, startPosition, occurrenceNumber]) {
        const text = value as string;
        const startIndex = (startPosition as number) - 1;
        const which = occurrenceNumber as number;
        if (startIndex < 0) throw rowError(errorNames.invalidArgument, `REGEX_REPLACE startPosition ${startIndex + 1} is less than 1`);
        if (which < 0) throw rowError(errorNames.invalidArgument, `REGEX_REPLACE occurrence ${which} is less than 0`);
        const compiled = patterns(pattern as string);
        if (startIndex >= text.length) return text;
        let parts;
        try {
          parts = compileReplacement(replacementText as string, compiled.java);
        } catch (error) {
          throw rowError(errorNames.invalidArgument, (error as Error).message);
        }
        const rest = text.slice(startIndex);
        const regex = compiled.global;
        regex.lastIndex = 0;
        let out = text.slice(0, startIndex);
        let copiedTo = 0;
        let count = 0;
        for (let match = regex.exec(rest); match !== null; match = regex.exec(rest)) {
          count += 1;
          if (which === 0 || count === which) {
            out += rest.slice(copiedTo, match.index) + expandReplacement(parts, match, compiled.java);
            copiedTo = match.index + match[0].length;
            if (count === which) break;
          }
          if (match[0].length === 0) regex.lastIndex += 1;
        }
        return out + rest.slice(copiedTo);
      },
    });
  },
};

/**
 * SUBSTRING by position. A start past the end is '' in the FROM form and null in the comma form:
 * the reference's examples show SUBSTRING('123456789' FROM 17 FOR 4) = <empty string> and
 * SUBSTRING('123456789', 10, 4) = null (its parameter text says null, its summary '').
 */
function positionalSubstring(value: string, start: number, length: number | undefined, keywordSyntax: boolean): string | null {
  if (length !== undefined && length < 0) throw rowError(errorNames.substring, `SUBSTRING length ${length} is negative`);
  if (!keywordSyntax && start > value.length) return null;
  let from = start - 1;
  let count = length ?? Number.POSITIVE_INFINITY;
  if (from < 0) {
    count += from;
    from = 0;
  }
  if (count <= 0 || from >= value.length) return "";
  return value.slice(from, count === Number.POSITIVE_INFINITY ? undefined : from + count);
}

const substringForms = [
  "SUBSTRING(<STRING> FROM <INTEGER>)",
  "SUBSTRING(<STRING> FROM <INTEGER> FOR <INTEGER>)",
  "SUBSTRING(<STRING> FROM <STRING>)",
  "SUBSTRING(<STRING> SIMILAR <STRING> ESCAPE <STRING>)",
];

const substring: ScalarFunction = {
  name: "SUBSTRING",
  resolve(args, constants, site) {
    const [source, second, third, fourth] = args;
    const keywordSyntax = site?.keywordSyntax === true;
    if (args.length < 2 || args.length > 4 || !isCharacter(source!)) return cannotApply("SUBSTRING", args, substringForms);
    const type = resultVarchar(lengthOf(source!));
    if (symbolValue(second, constants[1]) === "SIMILAR") {
      if (args.length !== 4 || !isCharacter(third!) || !isCharacter(fourth!)) return cannotApply("SUBSTRING", args, substringForms);
      return ok({
        type,
        strict: false,
        evaluate([value, , pattern, escape]) {
          if (value === null || pattern === null || escape === null) return null;
          const regex = similarToRegex(pattern as string, escape as string);
          const match = regex.exec(value as string);
          return match === null ? null : (match[1] ?? "");
        },
      });
    }
    if (isNumeric(second!)) {
      if (!isWholeNumber(second!) || (third !== undefined && !isWholeNumber(third)) || args.length > 3) return cannotApply("SUBSTRING", args, substringForms);
      return ok({
        type,
        strict: true,
        evaluate: ([value, start, length]) => positionalSubstring(value as string, start as number, length as number | undefined, keywordSyntax),
      });
    }
    if (isCharacter(second!) && args.length === 2) {
      const patterns = patternSource(constantString(constants[1]));
      return ok({
        type,
        strict: true,
        evaluate([value, pattern]) {
          const regex = patterns(pattern as string).global;
          regex.lastIndex = 0;
          const match = regex.exec(value as string);
          return match === null ? null : match[0];
        },
      });
    }
    return cannotApply("SUBSTRING", args, substringForms);
  },
};

const trim: ScalarFunction = {
  name: "TRIM",
  resolve(args, constants) {
    if (args.length !== 3) return wrongArgumentCount("TRIM", "3");
    const side = symbolValue(args[0], constants[0]);
    if (side === undefined || !["BOTH", "LEADING", "TRAILING"].includes(side) || !isCharacter(args[1]!) || !isCharacter(args[2]!)) {
      return cannotApply("TRIM", args, ["TRIM([BOTH | LEADING | TRAILING] <STRING> FROM <STRING>)"]);
    }
    const leading = side !== "TRAILING";
    const trailing = side !== "LEADING";
    return ok({
      type: resultVarchar(lengthOf(args[2]!)),
      strict: true,
      evaluate([, character, value]) {
        const ch = character as string;
        if (ch.length !== 1) throw rowError(errorNames.invalidArgument, `TRIM character must be exactly one character, not '${ch}'`);
        const text = value as string;
        let start = 0;
        let end = text.length;
        if (leading) while (start < end && text[start] === ch) start += 1;
        if (trailing) while (end > start && text[end - 1] === ch) end -= 1;
        return text.slice(start, end);
      },
    });
  },
};

export const stringFunctions: ScalarFunction[] = [
  charLength("CHAR_LENGTH"),
  charLength("CHARACTER_LENGTH"),
  caseMapping("LOWER", (value) => value.toLowerCase()),
  caseMapping("UPPER", (value) => value.toUpperCase()),
  caseMapping("INITCAP", initcap),
  overlay,
  position,
  regexReplace,
  substring,
  trim,
];
