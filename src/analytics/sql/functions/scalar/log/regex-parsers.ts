/**
 * REGEX_LOG_PARSE(s, javaRegex [, columns]) and FAST_REGEX_LOG_PARSE(s, fastRegex): one column per
 * capture group, COLUMN1 … COLUMNn VARCHAR(1024) unless REGEX_LOG_PARSE names them
 * ('name [type], …'). REGEX_LOG_PARSE matches the whole string (Matcher.matches) and gives null when
 * it does not match, as the reference says; FAST_REGEX_LOG_PARSE "returns no fields at all" — its
 * examples show the row dropped — so a non-matching line is a row error (the row goes to
 * error_stream).
 */
import type { ScalarFunction } from "../../contracts.js";
import { errorNames, rowError } from "../errors.js";
import { translateJavaRegex } from "../java-regex.js";
import { cannotApply, fail, isCharacter, ok, wrongArgumentCount } from "../types.js";
import { convertField, parseColumnSpecs, rowType, type ColumnSpec } from "./column-spec.js";
import { constantArgument, defaultColumns, varcharField } from "./common.js";
import { compileFastRegex } from "./fast-regex.js";

export const regexLogParse: ScalarFunction = {
  name: "REGEX_LOG_PARSE",
  resolve(args, constants) {
    if (args.length !== 2 && args.length !== 3) return wrongArgumentCount("REGEX_LOG_PARSE", "2 or 3");
    if (!args.every(isCharacter)) return cannotApply("REGEX_LOG_PARSE", args, ["REGEX_LOG_PARSE(<VARCHAR>, <VARCHAR> regex [, <VARCHAR> columns])"]);
    const pattern = constantArgument("REGEX_LOG_PARSE", "second", constants[1]);
    if (typeof pattern !== "string") return pattern;
    let java;
    try {
      java = translateJavaRegex(pattern);
    } catch (error) {
      return fail(`REGEX_LOG_PARSE: bad regular expression: ${(error as Error).message}`);
    }
    let columns: ColumnSpec[] = defaultColumns(java.groupCount);
    if (args.length === 3) {
      const spec = constantArgument("REGEX_LOG_PARSE", "third", constants[2]);
      if (typeof spec !== "string") return spec;
      try {
        columns = parseColumnSpecs(spec, { typeKeyword: "optional", positions: false });
      } catch (error) {
        return fail(`REGEX_LOG_PARSE: bad column list: ${(error as Error).message}`);
      }
      if (columns.length > java.groupCount) return fail(`REGEX_LOG_PARSE names ${columns.length} columns but the regular expression has ${java.groupCount} groups`);
    }
    const whole = new RegExp(`(?<![\\s\\S])(?:${java.source})(?![\\s\\S])`, java.flags);
    const named = args.length === 3;
    return ok({
      type: rowType(columns),
      strict: true,
      evaluate([value], context) {
        const match = whole.exec(value as string);
        if (match === null) return null;
        return columns.map((column, index) => {
          const text = match[java.groupIndex[index + 1]!];
          return named ? convertField(text ?? null, column, context.nowMs) : varcharField(text);
        });
      },
    });
  },
};

function fastRegexLogParse(name: string): ScalarFunction {
  return {
    name,
    resolve(args, constants) {
      if (args.length !== 2) return wrongArgumentCount(name, "2");
      if (!args.every(isCharacter)) return cannotApply(name, args, [`${name}(<VARCHAR>, <VARCHAR> fast_regex_pattern)`]);
      const pattern = constantArgument(name, "second", constants[1]);
      if (typeof pattern !== "string") return pattern;
      let regex;
      try {
        regex = compileFastRegex(pattern);
      } catch (error) {
        return fail(`${name}: bad fast regex: ${(error as Error).message}`);
      }
      return ok({
        type: rowType(defaultColumns(regex.groupCount)),
        strict: true,
        evaluate([value]) {
          const groups = regex.match(value as string);
          if (groups === undefined) throw rowError(errorNames.noMatch, `'${value as string}' does not match the fast regex '${pattern}'`);
          return groups.map(varcharField);
        },
      });
    },
  };
}

/** The reference's syntax line calls it FAST_REGEX_LOG_PARSE; its title FAST_REGEX_LOG_PARSER. */
export const fastRegexLogParsers: ScalarFunction[] = [fastRegexLogParse("FAST_REGEX_LOG_PARSE"), fastRegexLogParse("FAST_REGEX_LOG_PARSER")];
