/**
 * FAST_REGEX_LOG_PARSE's matching (the reference's FAST_REGEX_LOG_PARSER page; the pattern syntax
 * is in fast-regex-syntax.ts).
 *
 * The pattern's top-level parenthesised groups are the columns. As the page describes, the pattern
 * is cut into one expression per group and one per stretch outside groups; the fixed-length start
 * of each expression moves to the end of the one before (an all-fixed expression merges into it);
 * then the expressions match in turn with no backtracking, each stopping at its first match when it
 * ends in such a fixed "delimiter" (lazy), or taking its longest match when it does not. Every input
 * character must be accounted for, so the last expression must end at the end of the input.
 */
import { fixedLength, PatternParser, type CharTest, type Node } from "./fast-regex-syntax.js";

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

/** Extends a group's span over [start, end). */
function claimGroup(starts: number[], ends: number[], group: number, start: number, end: number): void {
  if (group < 0) return;
  if (starts[group]! < 0) starts[group] = start;
  ends[group] = end;
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
      let position = 0;
      for (const segment of segments) {
        const end = segment.automaton.match(text, position, segment.longest);
        if (end < 0) return undefined;
        let cursor = end - segment.tailLength;
        claimGroup(starts, ends, segment.head.group, position, cursor);
        for (const part of segment.tail) {
          claimGroup(starts, ends, part.group, cursor, cursor + part.length);
          cursor += part.length;
        }
        position = end;
      }
      if (position !== text.length) return undefined;
      return starts.map((start, group) => (start < 0 ? "" : text.slice(start, ends[group])));
    },
  };
}
