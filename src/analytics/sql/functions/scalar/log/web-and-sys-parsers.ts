/**
 * W3C_LOG_PARSE(s, format) and SYS_LOG_PARSE(s).
 *
 * W3C_LOG_PARSE takes a predefined format name (COMMON, COMMON WITH VHOST, NCSA EXTENDED, REFERER,
 * AGENT) or Apache mod_log_config specifiers (%h %l %u %t "%r" %>s %b, %[Header]i or %{Header}i,
 * with the optional status conditions and < > modifiers) and returns one VARCHAR(1024) column per
 * specifier, COLUMN1…n. Text between specifiers must appear as written (so "%r" drops the quotes);
 * %t not enclosed in brackets in the format keeps its brackets, as the reference's example shows
 * ([24/May/2004:22:01:02 -0700]). A line that does not fit gives null. IIS is refused: the
 * reference gives no specifiers for it.
 *
 * SYS_LOG_PARSE reads the syslog layout 'Mon DD HH:MM:SS text': COLUMN1 the TIMESTAMP (no year in
 * the layout, so 1970, as CHAR_TO_TIMESTAMP fills a missing year), COLUMN2 the rest of the line.
 */
import type { ScalarFunction } from "../../contracts.js";
import { daysInMonth, epochMs } from "../calendar.js";
import { shortMonthNames } from "../date-format.js";
import { cannotApply, fail, isCharacter, ok, wrongArgumentCount } from "../types.js";
import { rowType } from "./column-spec.js";
import { constantArgument, defaultColumns, varcharField } from "./common.js";

const predefinedFormats: Readonly<Record<string, string>> = {
  COMMON: '%h %l %u %t "%r" %>s %b',
  "COMMON WITH VHOST": '%v %h %l %u %t "%r" %>s %b',
  "NCSA EXTENDED": '%h %l %u %t "%r" %>s %b "%[Referer]i" "%[User-agent]i"',
  REFERER: "%[Referer]i ---> %U",
  AGENT: "%[User-agent]i",
};

const specifier = /^%(!?[0-9]+(?:,[0-9]+)*)?([<>])?(?:\[([^\]]*)\]|\{([^}]*)\})?([a-zA-Z])/;

const escapeText = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

/** The regular expression a W3C format becomes, and its column count; throws Error for a bad format. */
export function compileW3cFormat(format: string): { regex: RegExp; columns: number } {
  const pieces: ({ literal: string } | { letter: string })[] = [];
  let index = 0;
  let text = "";
  while (index < format.length) {
    if (format[index] !== "%") {
      text += format[index];
      index += 1;
      continue;
    }
    if (format[index + 1] === "%") {
      text += "%";
      index += 2;
      continue;
    }
    const match = specifier.exec(format.slice(index));
    if (match === null) throw new Error(`bad format specifier at '${format.slice(index)}'`);
    if (text !== "") pieces.push({ literal: text });
    text = "";
    pieces.push({ letter: match[5]! });
    index += match[0].length;
  }
  if (text !== "") pieces.push({ literal: text });
  let source = "";
  let columns = 0;
  pieces.forEach((piece, position) => {
    if ("literal" in piece) {
      source += escapeText(piece.literal);
      return;
    }
    columns += 1;
    const before = pieces[position - 1];
    const after = pieces[position + 1];
    const bracketed = before !== undefined && "literal" in before && before.literal.endsWith("[") && after !== undefined && "literal" in after && after.literal.startsWith("]");
    if (piece.letter === "t" && !bracketed) source += "(\\[[^\\]]*\\])";
    else source += after === undefined ? "([\\s\\S]*)" : "([\\s\\S]*?)";
  });
  return { regex: new RegExp(`^${source}$`), columns };
}

export const w3cLogParse: ScalarFunction = {
  name: "W3C_LOG_PARSE",
  resolve(args, constants) {
    if (args.length !== 2) return wrongArgumentCount("W3C_LOG_PARSE", "2");
    if (!args.every(isCharacter)) return cannotApply("W3C_LOG_PARSE", args, ["W3C_LOG_PARSE(<VARCHAR>, <VARCHAR> format)"]);
    const format = constantArgument("W3C_LOG_PARSE", "second", constants[1]);
    if (typeof format !== "string") return format;
    const name = format.trim().replace(/\s+/g, " ").toUpperCase();
    if (name === "IIS") return fail("W3C_LOG_PARSE: the IIS format is not supported (the reference gives no specifiers for it)");
    let compiled;
    try {
      compiled = compileW3cFormat(predefinedFormats[name] ?? format);
    } catch (error) {
      return fail(`W3C_LOG_PARSE: ${(error as Error).message}`);
    }
    const { regex, columns } = compiled;
    return ok({
      type: rowType(defaultColumns(columns)),
      strict: true,
      evaluate([value]) {
        const match = regex.exec(value as string);
        if (match === null) return null;
        return Array.from({ length: columns }, (_, column) => varcharField(match[column + 1]));
      },
    });
  },
};

const syslogLine = /^([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ?([\s\S]*)$/;

export const sysLogParse: ScalarFunction = {
  name: "SYS_LOG_PARSE",
  resolve(args) {
    if (args.length !== 1) return wrongArgumentCount("SYS_LOG_PARSE", "1");
    if (!isCharacter(args[0]!)) return cannotApply("SYS_LOG_PARSE", args, ["SYS_LOG_PARSE(<VARCHAR>)"]);
    return ok({
      type: rowType([
        { name: "COLUMN1", type: { name: "TIMESTAMP", precision: 3 }, notNull: false },
        { name: "COLUMN2", type: { name: "VARCHAR", precision: 1024 }, notNull: false },
      ]),
      strict: true,
      evaluate([value]) {
        const match = syslogLine.exec(value as string);
        if (match === null) return null;
        const month = shortMonthNames.findIndex((name) => name.toLowerCase() === match[1]!.toLowerCase()) + 1;
        const [day, hour, minute, second] = [match[2], match[3], match[4], match[5]].map(Number) as [number, number, number, number];
        if (month === 0 || day < 1 || day > daysInMonth(1970, month) || hour > 23 || minute > 59 || second > 59) return null;
        return [epochMs(1970, month, day, ((hour * 60 + minute) * 60 + second) * 1000), varcharField(match[6])];
      },
    });
  },
};
