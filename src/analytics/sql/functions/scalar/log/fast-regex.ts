/**
 * FAST_REGEX_LOG_PARSE's patterns and matching (the reference's FAST_REGEX_LOG_PARSER page). The
 * syntax is the automaton regex the page tabulates: [ ] [^ ] ranges, | ? * + {n} {n,} {n,m}, .
 * any character, # the empty language, @ any string, "literal", ( ) grouping, \c, the POSIX names
 * <Digit> <Alpha> … and <n-m> numeric intervals (& intersection and ~ complement are refused).
 *
 * The pattern's top-level parenthesised groups are the columns. As the page describes, the pattern
 * is cut into one expression per group and one per stretch outside groups; the fixed-length start
 * of each expression moves to the end of the one before (an all-fixed expression merges into it);
 * then the expressions match in turn with no backtracking, each stopping at its first match when it
 * ends in such a fixed "delimiter" (lazy), or taking its longest match when it does not. Every input
 * character must be accounted for, so the last expression must end at the end of the input.
 */

type CharTest = (code: number) => boolean;

type Node =
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

function fixedLength(node: Node): number | undefined {
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

class PatternParser {
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

/** A Thompson automaton over one expression, run from a position to find its first or its longest match. */
class Automaton {
  private readonly tests: (CharTest | undefined)[] = [];
  private readonly next: number[] = [];
  private readonly alternative: number[] = [];
  private readonly start: number;
  private readonly accept: number;
  private marks: number[] = [];
  private generation = 0;

  constructor(node: Node) {
    this.accept = this.state(undefined, -1, -1);
    this.start = this.compile(node, this.accept);
  }

  private state(test: CharTest | undefined, next: number, alternative: number): number {
    this.tests.push(test);
    this.next.push(next);
    this.alternative.push(alternative);
    this.marks.push(0);
    return this.tests.length - 1;
  }

  private compile(node: Node, next: number): number {
    switch (node.kind) {
      case "char":
        return this.state(node.test, next, -1);
      case "none":
        return this.state(() => false, next, -1);
      case "seq": {
        let entry = next;
        for (let index = node.items.length - 1; index >= 0; index -= 1) entry = this.compile(node.items[index]!, entry);
        return entry;
      }
      case "alt":
        return node.options.map((option) => this.compile(option, next)).reduce((a, b) => this.state(undefined, a, b));
      case "repeat": {
        let entry = next;
        if (node.max === Infinity) {
          const loop = this.state(undefined, -1, next);
          this.next[loop] = this.compile(node.node, loop);
          entry = loop;
        } else {
          for (let count = node.min; count < node.max; count += 1) entry = this.state(undefined, this.compile(node.node, entry), next);
        }
        for (let count = 0; count < node.min; count += 1) entry = this.compile(node.node, entry);
        return entry;
      }
    }
  }

  /** Adds `id` and what it reaches without input; returns whether the accept state was reached. */
  private close(id: number, into: number[]): boolean {
    if (id < 0 || this.marks[id] === this.generation) return false;
    this.marks[id] = this.generation;
    if (id === this.accept) return true;
    if (this.tests[id] === undefined) {
      const a = this.close(this.next[id]!, into);
      const b = this.close(this.alternative[id]!, into);
      return a || b;
    }
    into.push(id);
    return false;
  }

  /** The end of the first (lazy) or the longest match starting at `from`, or -1. */
  match(text: string, from: number, longest: boolean): number {
    this.generation += 1;
    let current: number[] = [];
    let found = this.close(this.start, current) ? from : -1;
    if (found >= 0 && !longest) return found;
    for (let position = from; position < text.length && current.length > 0; position += 1) {
      const code = text.charCodeAt(position);
      this.generation += 1;
      const following: number[] = [];
      let accepted = false;
      for (const id of current) if (this.tests[id]!(code) && this.close(this.next[id]!, following)) accepted = true;
      if (accepted) {
        found = position + 1;
        if (!longest) return found;
      }
      current = following;
    }
    return found;
  }
}

interface Part {
  /** Column index, or -1 outside the groups. */
  group: number;
  /** Fixed length, for the parts moved to the end of the previous expression. */
  length: number;
}

interface Segment {
  automaton: Automaton;
  head: Part;
  tail: Part[];
  tailLength: number;
  longest: boolean;
}

export interface FastRegex {
  pattern: string;
  groupCount: number;
  /** The groups' texts, or undefined when the input does not match. */
  match(text: string): (string | undefined)[] | undefined;
}

/** X+ as XX* and X{2,5} as XXX{0,3} (the page: "_+" is considered the same as "__*"), so the fixed start can move. */
function expandRepeat(node: Node): Node[] {
  if (node.kind !== "repeat" || node.min === 0 || fixedLength(node.node) === undefined) return [node];
  const fixed: Node[] = Array.from({ length: node.min }, () => node.node);
  return node.max === node.min ? fixed : [...fixed, { kind: "repeat", node: node.node, min: 0, max: node.max - node.min }];
}

/** Compiles a fast-regex pattern; throws Error for a bad or unsupported one. */
export function compileFastRegex(pattern: string): FastRegex {
  const parts = new PatternParser(pattern).topLevel().map((part) => ({ group: part.group, items: part.items.flatMap(expandRepeat) }));
  // One expression per group and one per stretch between groups.
  const expressions: { group: number; items: Node[] }[] = [];
  let groupCount = 0;
  for (const part of parts) {
    const last = expressions[expressions.length - 1];
    if (!part.group && last !== undefined && last.group < 0) last.items.push(...part.items);
    else expressions.push({ group: part.group ? groupCount++ : -1, items: [...part.items] });
  }
  const built: { head: { group: number; items: Node[] }; tail: { group: number; items: Node[]; length: number }[] }[] = [];
  for (const expression of expressions) {
    const previous = built[built.length - 1];
    let fixedCount = 0;
    let fixedTotal = 0;
    if (previous !== undefined) {
      while (fixedCount < expression.items.length) {
        const length = fixedLength(expression.items[fixedCount]!);
        if (length === undefined) break;
        fixedTotal += length;
        fixedCount += 1;
      }
    }
    if (previous !== undefined && fixedCount > 0) previous.tail.push({ group: expression.group, items: expression.items.slice(0, fixedCount), length: fixedTotal });
    const rest = expression.items.slice(fixedCount);
    if (rest.length > 0 || previous === undefined) built.push({ head: { group: expression.group, items: rest }, tail: [] });
  }
  const segments: Segment[] = built.map(({ head, tail }) => {
    const tailLength = tail.reduce((sum, part) => sum + part.length, 0);
    return {
      automaton: new Automaton({ kind: "seq", items: [...head.items, ...tail.flatMap((part) => part.items)] }),
      head: { group: head.group, length: 0 },
      tail: tail.map((part) => ({ group: part.group, length: part.length })),
      tailLength,
      longest: tail.length === 0,
    };
  });
  return {
    pattern,
    groupCount,
    match(text) {
      const starts: number[] = new Array(groupCount).fill(-1);
      const ends: number[] = new Array(groupCount).fill(-1);
      const claim = (group: number, start: number, end: number) => {
        if (group < 0) return;
        if (starts[group]! < 0) starts[group] = start;
        ends[group] = end;
      };
      let position = 0;
      for (const segment of segments) {
        const end = segment.automaton.match(text, position, segment.longest);
        if (end < 0) return undefined;
        let cursor = end - segment.tailLength;
        claim(segment.head.group, position, cursor);
        for (const part of segment.tail) {
          claim(part.group, cursor, cursor + part.length);
          cursor += part.length;
        }
        position = end;
      }
      if (position !== text.length) return undefined;
      return starts.map((start, group) => (start < 0 ? "" : text.slice(start, ends[group])));
    },
  };
}
