/**
 * Java regular expressions (java.util.regex.Pattern — what REGEX_LOG_PARSE, REGEX_REPLACE and
 * SUBSTRING's regex form take) translated to JavaScript ones with the same matches: '.' and '$'
 * keep Java's line-terminator rules, \A \z \Z \h \v \R \e \Q…\E and the POSIX \p{…} classes are
 * spelled out, and possessive quantifiers / atomic groups become lookahead-plus-backreference.
 * Those add capturing groups, so `groupIndex` maps each Java group number to the JavaScript one.
 * What has no faithful translation (class intersection, nested classes, flags changed mid-pattern,
 * \G, comments mode, Unicode categories) throws, so such a pattern fails instead of matching
 * differently. Replacement strings are in java-replacement.ts.
 */

export interface JavaRegex {
  /** The JavaScript pattern source and flags (no 'g'/'y'; callers add what they need). */
  source: string;
  flags: string;
  /** Capturing groups the Java pattern has. */
  groupCount: number;
  /** groupIndex[n] = the JavaScript group number of Java group n (groupIndex[0] = 0). */
  groupIndex: number[];
  /** Java group names → Java group numbers. */
  names: Map<string, number>;
}

const lineTerminators = "\\n\\r\\u0085\\u2028\\u2029";
const javaSpace = " \\t\\n\\x0B\\f\\r";
const horizontalSpace = " \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000";
const verticalSpace = "\\n\\x0B\\f\\r\\x85\\u2028\\u2029";

/** The POSIX classes Java names \p{…}, as class contents. */
const posixClasses: Readonly<Record<string, string>> = {
  Lower: "a-z",
  Upper: "A-Z",
  ASCII: "\\x00-\\x7F",
  Alpha: "a-zA-Z",
  Digit: "0-9",
  Alnum: "a-zA-Z0-9",
  Punct: "!-\\/:-@\\[-`{-~",
  Graph: "!-~",
  Print: " -~",
  Blank: " \\t",
  Cntrl: "\\x00-\\x1F\\x7F",
  XDigit: "0-9a-fA-F",
  Space: javaSpace,
  javaLowerCase: "a-z",
  javaUpperCase: "A-Z",
  javaWhitespace: javaSpace + "\\x1C-\\x1F",
};

function hex4(code: number): string {
  return "\\u" + code.toString(16).padStart(4, "0");
}

function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

interface Translation {
  out: string;
  /** Output offset where each Java group opens, in Java group order. */
  groupStarts: number[];
  /** JavaScript-only groups added (possessive/atomic), by output offset. */
  syntheticStarts: number[];
  names: Map<string, number>;
  dotAll: boolean;
  multiline: boolean;
}

class Translator {
  private index = 0;
  readonly t: Translation;
  constructor(private readonly pattern: string) {
    this.t = { out: "", groupStarts: [], syntheticStarts: [], names: new Map(), dotAll: false, multiline: false };
  }

  private fail(message: string): never {
    throw new Error(`${message} near index ${this.index}\n${this.pattern}`);
  }

  run(): Translation {
    this.leadingFlags();
    this.sequence(0);
    if (this.index < this.pattern.length) this.fail("Unmatched closing ')'");
    return this.t;
  }

  /** (?i) (?s) (?m) … at the very start set the whole pattern's flags (JavaScript has no scoped flags here). */
  private leadingFlags(): void {
    const match = /^\(\?([idmsuxU]+)\)/.exec(this.pattern);
    if (match === null) return;
    for (const flag of match[1]!) {
      if (flag === "i") this.caseInsensitive = true;
      else if (flag === "s") this.t.dotAll = true;
      else if (flag === "m") this.t.multiline = true;
      else if (flag !== "u" && flag !== "U") this.fail(`Unsupported flag '${flag}'`);
    }
    this.index = match[0].length;
  }

  caseInsensitive = false;

  /** Alternatives until ')' or the end, at group depth `depth`. */
  private sequence(depth: number): void {
    while (this.index < this.pattern.length) {
      const ch = this.pattern[this.index]!;
      if (ch === ")") {
        if (depth === 0) this.fail("Unmatched closing ')'");
        return;
      }
      if (ch === "|") {
        this.t.out += "|";
        this.index += 1;
        continue;
      }
      const atomStart = this.t.out.length;
      this.atom(depth);
      this.quantifier(atomStart);
    }
    if (depth > 0) this.fail("Unclosed group");
  }

  private atom(depth: number): void {
    const ch = this.pattern[this.index]!;
    this.index += 1;
    switch (ch) {
      case "\\":
        this.t.out += this.escape(false);
        return;
      case "[":
        this.t.out += this.characterClass();
        return;
      case "(":
        this.group(depth);
        return;
      case ".":
        this.t.out += this.t.dotAll ? "[\\s\\S]" : `[^${lineTerminators}]`;
        return;
      case "$":
        this.t.out += this.t.multiline ? "$" : `(?=(?:\\r\\n|[${lineTerminators}])?(?![\\s\\S]))`;
        return;
      case "^":
        this.t.out += "^";
        return;
      case "*":
      case "+":
      case "?":
        return this.fail(`Dangling meta character '${ch}'`);
      default:
        this.t.out += ch === "/" ? "\\/" : ch;
    }
  }

  private group(depth: number): void {
    const rest = this.pattern.slice(this.index);
    const open = this.t.out.length;
    let atomic = false;
    if (rest.startsWith("?:") || rest.startsWith("?=") || rest.startsWith("?!")) {
      this.t.out += "(" + rest.slice(0, 2);
      this.index += 2;
    } else if (rest.startsWith("?<=") || rest.startsWith("?<!")) {
      this.t.out += "(" + rest.slice(0, 3);
      this.index += 3;
    } else if (rest.startsWith("?>")) {
      atomic = true;
      this.t.out += "(?:";
      this.index += 2;
    } else if (rest.startsWith("?<")) {
      const match = /^\?<([a-zA-Z][a-zA-Z0-9]*)>/.exec(rest);
      if (match === null) this.fail("Bad named group");
      this.t.groupStarts.push(open);
      this.t.names.set(match[1]!, this.t.groupStarts.length);
      this.t.out += "(";
      this.index += match[0].length;
    } else if (rest.startsWith("?")) {
      this.fail("Unsupported group construct (flags inside a pattern)");
    } else {
      this.t.groupStarts.push(open);
      this.t.out += "(";
    }
    this.sequence(depth + 1);
    this.index += 1; // ')'
    this.t.out += ")";
    if (atomic) this.makeAtomic(open);
  }

  /** Wraps output from `start` as (?=(X))\k: matches what X matches first, then never gives any back. */
  private makeAtomic(start: number): void {
    const body = this.t.out.slice(start);
    // The wrapper's group opens before every group inside X, so it takes the first number among them.
    const jsNumber = [...this.t.groupStarts, ...this.t.syntheticStarts].filter((offset) => offset < start).length + 1;
    this.t.out = this.t.out.slice(0, start) + `(?=(${body}))\\${jsNumber}`;
    // Groups opening inside the wrapped text moved right by the wrapper's "(?=(".
    this.t.groupStarts = this.t.groupStarts.map((offset) => (offset >= start ? offset + 4 : offset));
    this.t.syntheticStarts = this.t.syntheticStarts.map((offset) => (offset >= start ? offset + 4 : offset));
    this.t.syntheticStarts.push(start);
  }

  /** The JavaScript number a capturing group opening at output offset `start` gets. */
  private jsNumberAt(start: number): number {
    return [...this.t.groupStarts, ...this.t.syntheticStarts].filter((offset) => offset <= start).length;
  }

  private quantifier(atomStart: number): void {
    const rest = this.pattern.slice(this.index);
    const match = /^(?:[*+?]|\{\d+(?:,\d*)?\})/.exec(rest);
    if (match === null) {
      if (rest.startsWith("{")) this.fail("Illegal repetition");
      return;
    }
    this.index += match[0].length;
    let quantifier = match[0];
    const mode = this.pattern[this.index];
    if (mode === "?") {
      quantifier += "?";
      this.index += 1;
    }
    this.t.out += quantifier;
    if (mode === "+") {
      this.index += 1;
      this.makeAtomic(atomStart);
    }
  }

  /** After a backslash. Inside a class the result is class content, else an atom. */
  private escape(inClass: boolean): string {
    const ch = this.pattern[this.index];
    if (ch === undefined) this.fail("Unexpected internal error");
    this.index += 1;
    const atom = (content: string) => (inClass ? content : `[${content}]`);
    const notAtom = (content: string) => {
      if (inClass) this.fail("Negated class escape inside a class");
      return `[^${content}]`;
    };
    switch (ch) {
      case "Q": {
        const end = this.pattern.indexOf("\\E", this.index);
        const text = this.pattern.slice(this.index, end < 0 ? undefined : end);
        this.index = end < 0 ? this.pattern.length : end + 2;
        const escaped = escapeLiteral(text);
        return inClass || text.length <= 1 ? escaped : `(?:${escaped})`;
      }
      case "A":
        return inClass ? this.fail("Illegal escape in a class") : "(?<![\\s\\S])";
      case "z":
        return inClass ? this.fail("Illegal escape in a class") : "(?![\\s\\S])";
      case "Z":
        return inClass ? this.fail("Illegal escape in a class") : `(?=(?:\\r\\n|[${lineTerminators}])?(?![\\s\\S]))`;
      case "G":
        return this.fail("\\G is not supported");
      case "s":
        return atom(javaSpace);
      case "S":
        return notAtom(javaSpace);
      case "h":
        return atom(horizontalSpace);
      case "H":
        return notAtom(horizontalSpace);
      case "v":
        return atom(verticalSpace);
      case "V":
        return notAtom(verticalSpace);
      case "R":
        return inClass ? this.fail("Illegal escape in a class") : `(?:\\r\\n|[${verticalSpace}])`;
      case "e":
        return "\\x1B";
      case "a":
        return "\\x07";
      case "p":
      case "P": {
        const match = /^\{(?:Is)?([A-Za-z]+)\}|^([A-Za-z])/.exec(this.pattern.slice(this.index));
        const name = match?.[1] ?? match?.[2];
        const content = name === undefined ? undefined : posixClasses[name];
        if (match === null || content === undefined) this.fail("Unsupported character property");
        this.index += match[0].length;
        return ch === "p" ? atom(content) : notAtom(content);
      }
      case "0": {
        const match = /^[0-3]?[0-7]{1,2}/.exec(this.pattern.slice(this.index));
        if (match === null) this.fail("Illegal octal escape sequence");
        this.index += match[0].length;
        return hex4(parseInt(match[0], 8));
      }
      case "x": {
        if (this.pattern[this.index] !== "{") return "\\x";
        const end = this.pattern.indexOf("}", this.index);
        const code = parseInt(this.pattern.slice(this.index + 1, end), 16);
        if (end < 0 || !(code <= 0xffff)) this.fail("Unsupported hexadecimal escape");
        this.index = end + 1;
        return hex4(code);
      }
      default:
        if (ch >= "1" && ch <= "9") {
          if (inClass) this.fail("Back reference inside a class");
          return this.backReference(ch);
        }
        if (ch === "k" && !inClass) {
          const match = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.pattern.slice(this.index));
          const number = match === null ? undefined : this.t.names.get(match[1]!);
          if (match === null || number === undefined) this.fail("Unknown named group");
          this.index += match[0].length;
          return `\\${this.jsNumberAt(this.t.groupStarts[number - 1]!)}`;
        }
        return "\\" + ch;
    }
  }

  /** \n: Java reads as many digits as still name an existing group. */
  private backReference(first: string): string {
    let number = Number(first);
    while (/[0-9]/.test(this.pattern[this.index] ?? "")) {
      const longer = number * 10 + Number(this.pattern[this.index]);
      if (longer > this.t.groupStarts.length) break;
      number = longer;
      this.index += 1;
    }
    if (number > this.t.groupStarts.length) return "(?!)";
    return `\\${this.jsNumberAt(this.t.groupStarts[number - 1]!)}`;
  }

  private characterClass(): string {
    let out = "[";
    if (this.pattern[this.index] === "^") {
      out += "^";
      this.index += 1;
    }
    let first = true;
    for (;;) {
      const ch = this.pattern[this.index];
      if (ch === undefined) this.fail("Unclosed character class");
      this.index += 1;
      if (ch === "]" && !first) break;
      first = false;
      if (ch === "]") out += "\\]";
      else if (ch === "\\") out += this.escape(true);
      else if (ch === "[") this.fail("Nested character classes are not supported");
      else if (ch === "&" && this.pattern[this.index] === "&") this.fail("Character class intersection is not supported");
      else out += ch;
    }
    return out + "]";
  }
}

/** Translates a Java pattern; throws Error (PatternSyntaxException-like) for a bad or unsupported one. */
export function translateJavaRegex(pattern: string): JavaRegex {
  const translator = new Translator(pattern);
  const t = translator.run();
  const all = [...t.groupStarts.map((offset, index) => ({ offset, java: index + 1 })), ...t.syntheticStarts.map((offset) => ({ offset, java: 0 }))];
  all.sort((a, b) => a.offset - b.offset);
  const groupIndex = [0];
  all.forEach((group, position) => {
    if (group.java > 0) groupIndex[group.java] = position + 1;
  });
  const flags = (translator.caseInsensitive ? "i" : "") + (t.multiline ? "m" : "");
  const source = t.out;
  // Validate now, so a bad pattern fails here rather than per row.
  new RegExp(source, flags);
  return { source, flags, groupCount: t.groupStarts.length, groupIndex, names: t.names };
}
