/**
 * The syntax of FAST_REGEX_LOG_PARSE's patterns (the automaton regex the reference tabulates):
 * [ ] [^ ] ranges, | ? * + {n} {n,} {n,m}, . any character, # the empty language, @ any string,
 * "literal", ( ) grouping, \c, the POSIX names <Digit> <Alpha> … and <n-m> numeric intervals.
 * & (intersection) and ~ (complement) are refused. The top-level parenthesised groups are the
 * columns; fast-regex.ts matches.
 */
export type CharTest = (code: number) => boolean;

export type Node =
  | { kind: "char"; test: CharTest }
  | { kind: "seq"; items: Node[] }
  | { kind: "alt"; options: Node[] }
  | { kind: "repeat"; node: Node; min: number; max: number }
  | { kind: "none" };

const empty: Node = { kind: "seq", items: [] };
const anyChar: CharTest = () => true;
const intervalValuesMax = 100_000;

const range = (from: string, to: string): CharTest => {
  const low = from.charCodeAt(0);
  const high = to.charCodeAt(0);
  return (code) => code >= low && code <= high;
};
const union = (...tests: CharTest[]): CharTest => (code) => tests.some((test) => test(code));

/** The POSIX names the page lists. */
const alnum = union(range("a", "z"), range("A", "Z"), range("0", "9"));
const punct: CharTest = (code) => "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".includes(String.fromCharCode(code));
const namedPatterns: Readonly<Record<string, CharTest>> = {
  Digit: range("0", "9"),
  Upper: range("A", "Z"),
  Lower: range("a", "z"),
  ASCII: (code) => code <= 0x7f,
  Alpha: union(range("a", "z"), range("A", "Z")),
  Alnum: alnum,
  Punct: punct,
  Blank: (code) => code === 32 || code === 9,
  Space: (code) => code === 32 || (code >= 9 && code <= 13),
  Cntrl: (code) => code <= 0x1f || code === 0x7f,
  XDigit: union(range("0", "9"), range("a", "f"), range("A", "F")),
  Print: union(alnum, punct),
  Graph: union(alnum, punct),
};

const literal = (text: string): Node => ({
  kind: "seq",
  items: [...text].map((ch): Node => {
    const code = ch.charCodeAt(0);
    return { kind: "char", test: (c) => c === code };
  }),
});

export function fixedLength(node: Node): number | undefined {
  switch (node.kind) {
    case "char":
      return 1;
    case "none":
      return 0;
    case "seq": {
      let total = 0;
      for (const item of node.items) {
        const length = fixedLength(item);
        if (length === undefined) return undefined;
        total += length;
      }
      return total;
    }
    case "alt": {
      const lengths = node.options.map(fixedLength);
      return lengths.every((length) => length !== undefined && length === lengths[0]) ? lengths[0] : undefined;
    }
    case "repeat": {
      const length = fixedLength(node.node);
      return node.min === node.max && length !== undefined ? length * node.min : undefined;
    }
  }
}

export class PatternParser {
  private index = 0;
  constructor(private readonly pattern: string) {}

  fail(message: string): never {
    throw new Error(`${message} at position ${this.index} of '${this.pattern}'`);
  }

  private peek(): string | undefined {
    return this.pattern[this.index];
  }

  /** The top level: a sequence of items, parenthesised ones being the capture groups. */
  topLevel(): { group: boolean; items: Node[] }[] {
    const parts: { group: boolean; items: Node[] }[] = [];
    while (this.index < this.pattern.length) {
      if (this.peek() === "|") this.fail("Alternation at the top level of a fast regex is not supported");
      if (this.peek() === "(") {
        const start = this.index;
        this.index += 1;
        const inner = this.union();
        if (this.peek() !== ")") this.fail("Missing ')'");
        this.index += 1;
        if (this.peek() !== undefined && "?*+{".includes(this.peek()!)) {
          this.index = start;
          parts.push({ group: false, items: [this.repeat()] });
        } else {
          parts.push({ group: true, items: inner.kind === "seq" ? inner.items : [inner] });
        }
        continue;
      }
      parts.push({ group: false, items: [this.repeat()] });
    }
    return parts;
  }

  private union(): Node {
    const options = [this.concatenation()];
    while (this.peek() === "|") {
      this.index += 1;
      options.push(this.concatenation());
    }
    return options.length === 1 ? options[0]! : { kind: "alt", options };
  }

  private concatenation(): Node {
    const items: Node[] = [];
    while (this.index < this.pattern.length && this.peek() !== "|" && this.peek() !== ")") {
      items.push(this.repeat());
    }
    return items.length === 1 ? items[0]! : { kind: "seq", items };
  }

  private repeat(): Node {
    let node = this.simple();
    for (;;) {
      const ch = this.peek();
      if (ch === "?") node = { kind: "repeat", node, min: 0, max: 1 };
      else if (ch === "*") node = { kind: "repeat", node, min: 0, max: Infinity };
      else if (ch === "+") node = { kind: "repeat", node, min: 1, max: Infinity };
      else if (ch === "{") {
        const match = /^\{(\d+)(,(\d*))?\}/.exec(this.pattern.slice(this.index));
        if (match === null) this.fail("Bad repetition");
        const min = Number(match[1]);
        const max = match[2] === undefined ? min : match[3] === "" ? Infinity : Number(match[3]);
        if (max < min) this.fail("Bad repetition");
        node = { kind: "repeat", node, min, max };
        this.index += match[0].length - 1;
      } else return node;
      this.index += 1;
    }
  }

  private charExpression(): string {
    let ch = this.peek();
    if (ch === undefined) this.fail("Unexpected end of pattern");
    if (ch === "\\") {
      this.index += 1;
      ch = this.peek();
      if (ch === undefined) this.fail("Unexpected end of pattern");
    }
    this.index += 1;
    return ch;
  }

  private simple(): Node {
    const ch = this.peek()!;
    switch (ch) {
      case ".":
        this.index += 1;
        return { kind: "char", test: anyChar };
      case "#":
        this.index += 1;
        return { kind: "none" };
      case "@":
        this.index += 1;
        return { kind: "repeat", node: { kind: "char", test: anyChar }, min: 0, max: Infinity };
      case '"': {
        const end = this.pattern.indexOf('"', this.index + 1);
        if (end < 0) this.fail("Unterminated string");
        const text = this.pattern.slice(this.index + 1, end);
        this.index = end + 1;
        return literal(text);
      }
      case "(": {
        this.index += 1;
        if (this.peek() === ")") {
          this.index += 1;
          return empty;
        }
        const inner = this.union();
        if (this.peek() !== ")") this.fail("Missing ')'");
        this.index += 1;
        return inner;
      }
      case "[":
        return this.characterClass();
      case "<":
        return this.named();
      case "~":
        return this.fail("Complement (~) is not supported");
      case "&":
        return this.fail("Intersection (&) is not supported");
      case "*":
      case "+":
      case "?":
      case "{":
      case ")":
      case "]":
      case "|":
      case ">":
        return this.fail(`Unexpected '${ch}'`);
      default:
        return literal(this.charExpression());
    }
  }

  private characterClass(): Node {
    this.index += 1;
    const negated = this.peek() === "^";
    if (negated) this.index += 1;
    const tests: CharTest[] = [];
    while (this.peek() !== "]") {
      if (this.peek() === undefined) this.fail("Unterminated character class");
      const from = this.charExpression();
      if (this.peek() === "-" && this.pattern[this.index + 1] !== "]") {
        this.index += 1;
        tests.push(range(from, this.charExpression()));
      } else {
        tests.push(range(from, from));
      }
    }
    this.index += 1;
    const test = union(...tests);
    return { kind: "char", test: negated ? (code) => !test(code) : test };
  }

  private named(): Node {
    const end = this.pattern.indexOf(">", this.index);
    if (end < 0) this.fail("Unterminated <…>");
    const name = this.pattern.slice(this.index + 1, end);
    this.index = end + 1;
    const named = namedPatterns[name];
    if (named !== undefined) return { kind: "char", test: named };
    const interval = /^(\d+)-(\d+)$/.exec(name);
    if (interval === null) this.fail(`Unknown named pattern <${name}>`);
    return numericInterval(interval[1]!, interval[2]!, () => this.fail(`Interval <${name}> is too large`));
  }
}

/** <n-m>: the decimal numbers n..m, zero-padded to m's width when n and m are as wide, else with optional leading zeros. */
function numericInterval(fromText: string, toText: string, tooLarge: () => never): Node {
  const from = Number(fromText);
  const to = Number(toText);
  if (to < from) return { kind: "none" };
  if (to - from >= intervalValuesMax) tooLarge();
  const padded = fromText.length === toText.length;
  const options: Node[] = [];
  for (let value = from; value <= to; value += 1) {
    const text = padded ? String(value).padStart(toText.length, "0") : String(value);
    options.push(literal(text));
  }
  const numbers: Node = { kind: "alt", options };
  if (padded) return numbers;
  const zero = "0".charCodeAt(0);
  return { kind: "seq", items: [{ kind: "repeat", node: { kind: "char", test: (code) => code === zero }, min: 0, max: Infinity }, numbers] };
}

