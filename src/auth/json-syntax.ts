/**
 * Where a JSON text first breaks RFC 8259's grammar, as a line, a column and what was expected,
 * worded without any of the text itself. V8's own JSON.parse messages quote the text around the
 * error (`Unexpected token 'x', "…secret": x…" is not valid JSON`), which in a credentials file is
 * a secret key or a session token; this scanner runs only after JSON.parse has failed, to say where.
 *
 *   value  = object / array / string / number / "true" / "false" / "null"
 *   object = "{" [ string ":" value *( "," string ":" value ) ] "}"
 *   array  = "[" [ value *( "," value ) ] "]"
 *
 * Iterative (an explicit stack of open containers), so a deeply nested file cannot overflow the
 * call stack.
 */

export interface JsonSyntaxProblem {
  /** 1-based, counting `\n` line ends. */
  line: number;
  /** 1-based, in UTF-16 code units from the start of the line. */
  column: number;
  problem: string;
}

type Expect = "value" | "value-or-close" | "name" | "name-or-close" | "colon" | "comma-or-close";

const whitespace = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  const stack: ("{" | "[")[] = [];
  let expect: Expect = "value";
  let index = 0;
  const fail = (at: number, problem: string): JsonSyntaxProblem => ({ ...lineAndColumn(text, at), problem });
  const skipWhitespace = () => {
    while (index < text.length && whitespace.has(text.charCodeAt(index))) index++;
  };
  const afterValue = (): Expect => (stack.length === 0 ? "value" : "comma-or-close");
  let done = false;

  for (;;) {
    skipWhitespace();
    if (done) return index < text.length ? fail(index, "unexpected text after the end of the document") : undefined;
    if (index >= text.length) return fail(index, stack.length === 0 ? "the document is empty" : `unexpected end of the document: ${stack.length} unclosed ${stack.length === 1 ? "bracket" : "brackets"}`);
    const char = text[index]!;
    const top = stack[stack.length - 1];
    if (expect === "colon") {
      if (char !== ":") return fail(index, "expected ':' after a member name");
      index++;
      expect = "value";
      continue;
    }
    if (expect === "comma-or-close") {
      const close = top === "{" ? "}" : "]";
      if (char === ",") {
        index++;
        expect = top === "{" ? "name" : "value";
      } else if (char === close) {
        index++;
        stack.pop();
        expect = afterValue();
        done = stack.length === 0;
      } else {
        return fail(index, `expected ',' or '${close}'`);
      }
      continue;
    }
    if (expect === "name" || expect === "name-or-close") {
      if (expect === "name-or-close" && char === "}") {
        index++;
        stack.pop();
        expect = afterValue();
        done = stack.length === 0;
        continue;
      }
      if (char !== '"') return fail(index, expect === "name" ? "expected a member name in double quotes" : "expected a member name in double quotes or '}'");
      const end = scanString(text, index);
      if (typeof end !== "number") return fail(end.at, end.problem);
      index = end;
      expect = "colon";
      continue;
    }
    // A value is expected.
    if (expect === "value-or-close" && char === "]") {
      index++;
      stack.pop();
      expect = afterValue();
      done = stack.length === 0;
      continue;
    }
    if (char === "{" || char === "[") {
      stack.push(char);
      index++;
      expect = char === "{" ? "name-or-close" : "value-or-close";
      continue;
    }
    const end = char === '"' ? scanString(text, index) : scanLiteral(text, index);
    if (typeof end !== "number") return fail(end.at, end.problem);
    index = end;
    expect = afterValue();
    done = stack.length === 0;
  }
}

type ScanOutcome = number | { at: number; problem: string };

/** A string starting at `start` (its opening quote): the index after its closing quote. */
function scanString(text: string, start: number): ScanOutcome {
  let index = start + 1;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 0x22) return index + 1;
    if (code < 0x20) return { at: index, problem: "a control character (a line break or tab, for example) inside a string must be escaped" };
    if (code === 0x5c) {
      const escaped = text[index + 1];
      if (escaped === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) return { at: index, problem: "a \\u escape needs four hexadecimal digits" };
        index += 6;
        continue;
      }
      if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) return { at: index, problem: "an invalid escape sequence in a string" };
      index += 2;
      continue;
    }
    index++;
  }
  return { at: start, problem: "a string is not terminated" };
}

const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** A number, true, false or null at `start`: the index after it. */
function scanLiteral(text: string, start: number): ScanOutcome {
  for (const word of ["true", "false", "null"]) if (text.startsWith(word, start)) return start + word.length;
  numberPattern.lastIndex = start;
  if (numberPattern.test(text)) return numberPattern.lastIndex;
  return { at: start, problem: "expected a value (a string in double quotes, a number, true, false, null, an object or an array)" };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text.charCodeAt(index) === 0x0a) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
