/**
 * LIKE and SIMILAR TO patterns (SQL Reference "LIKE", "SIMILAR TO") translated to anchored
 * JavaScript regular expressions. LIKE: `%` any run, `_` one character, the ESCAPE character
 * makes the next one literal. SIMILAR TO adds the SQL regular-expression operators
 * `| * + ? {m,n} ( ) [...]` while `.`, `^`, `$` and `\` stay literal.
 */
import { SqlRuntimeError } from "../../sql/types.js";

const regexSpecial = /[.*+?^${}()|[\]\\/-]/;

function literal(char: string): string {
  return regexSpecial.test(char) ? `\\${char}` : char;
}

function checkEscape(escape: string | undefined): void {
  if (escape !== undefined && escape.length !== 1) throw new SqlRuntimeError("Invalid escape character", `Invalid escape character '${escape}'`);
}

function invalidSequence(pattern: string): SqlRuntimeError {
  return new SqlRuntimeError("Invalid escape sequence", `Invalid escape sequence '${pattern}'`);
}

export function likeToRegExp(pattern: string, escape?: string): RegExp {
  checkEscape(escape);
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === escape) {
      const next = pattern[i + 1];
      if (next !== "%" && next !== "_" && next !== escape) throw invalidSequence(pattern);
      source += literal(next);
      i++;
    } else if (char === "%") {
      source += "[\\s\\S]*";
    } else if (char === "_") {
      source += "[\\s\\S]";
    } else {
      source += literal(char);
    }
  }
  return new RegExp(`^${source}$`, "u");
}

const classes: Record<string, string> = {
  ALPHA: "a-zA-Z",
  UPPER: "A-Z",
  LOWER: "a-z",
  DIGIT: "0-9",
  ALNUM: "a-zA-Z0-9",
  SPACE: " \\t\\n\\r\\f\\v",
  WHITESPACE: " \\t\\n\\r\\f\\v",
};

/** Copies a bracket expression [...] starting at `start` (the '['); returns [regex, index after ']']. */
function bracket(pattern: string, start: number, escape: string | undefined): [string, number] {
  let source = "[";
  let i = start + 1;
  if (pattern[i] === "^") {
    source += "^";
    i++;
  }
  for (; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === "]") return [source + "]", i + 1];
    if (char === escape) {
      const next = pattern[i + 1];
      if (next === undefined) throw invalidSequence(pattern);
      source += literal(next);
      i++;
    } else if (char === "[" && pattern[i + 1] === ":") {
      const close = pattern.indexOf(":]", i + 2);
      const name = close < 0 ? undefined : classes[pattern.slice(i + 2, close).toUpperCase()];
      if (name === undefined) throw new SqlRuntimeError("Invalid regular expression", `Invalid character class in '${pattern}'`);
      source += name;
      i = close + 1;
    } else if (char === "-") {
      source += "-";
    } else {
      source += literal(char);
    }
  }
  throw new SqlRuntimeError("Invalid regular expression", `Missing ']' in '${pattern}'`);
}

export function similarToRegExp(pattern: string, escape?: string): RegExp {
  checkEscape(escape);
  let source = "";
  for (let i = 0; i < pattern.length; ) {
    const char = pattern[i] as string;
    if (char === escape) {
      const next = pattern[i + 1];
      if (next === undefined) throw invalidSequence(pattern);
      source += literal(next);
      i += 2;
      continue;
    }
    switch (char) {
      case "%":
        source += "[\\s\\S]*";
        break;
      case "_":
        source += "[\\s\\S]";
        break;
      case "|":
      case "*":
      case "+":
      case "?":
      case "(":
      case ")":
      case "{":
      case "}":
        source += char;
        break;
      case "[": {
        const [part, next] = bracket(pattern, i, escape);
        source += part;
        i = next;
        continue;
      }
      default:
        source += literal(char);
    }
    i++;
  }
  try {
    return new RegExp(`^(?:${source})$`, "u");
  } catch {
    throw new SqlRuntimeError("Invalid regular expression", `Invalid regular expression '${pattern}'`);
  }
}
