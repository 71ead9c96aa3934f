/**
 * Damaged code never crashes the parser: every fixture, with tokens deleted, duplicated or swapped
 * (seeded, so a failure replays), either parses or fails with a SqlCompileError whose position lies
 * inside the code.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { parseProgram } from "../../../src/analytics/sql/parser.js";
import { tokenize } from "../../../src/analytics/sql/lexer.js";
import { SqlCompileError } from "../../../src/analytics/sql/types.js";

/** A small deterministic generator (mulberry32). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const folder = new URL("./fixtures/developer-guide/", import.meta.url);
const sources = readdirSync(folder)
  .filter((name) => name.endsWith(".sql"))
  .map((name) => readFileSync(new URL(name, folder), "utf8"));

function mutate(code: string, random: () => number): string {
  const tokens = tokenize(code).filter((token) => token.kind !== "eof");
  const pieces = tokens.map((token) => code.slice(token.start, token.end));
  const edits = 1 + Math.floor(random() * 3);
  for (let i = 0; i < edits && pieces.length > 1; i++) {
    const at = Math.floor(random() * pieces.length);
    const choice = random();
    if (choice < 0.4) pieces.splice(at, 1);
    else if (choice < 0.7) pieces.splice(at, 0, pieces[Math.floor(random() * pieces.length)]!);
    else {
      const other = Math.floor(random() * pieces.length);
      [pieces[at], pieces[other]] = [pieces[other]!, pieces[at]!];
    }
  }
  return pieces.join(random() < 0.5 ? " " : "\n");
}

it("mutated developer guide examples parse or fail with a positioned SqlCompileError", () => {
  const random = generator(18);
  let failures = 0;
  for (let round = 0; round < 1500; round++) {
    const code = mutate(sources[round % sources.length]!, random);
    try {
      parseProgram(code);
    } catch (error) {
      assert.ok(error instanceof SqlCompileError, `round ${round}: ${String(error)}\n${code}`);
      const lines = code.split("\n");
      const position = error.position!;
      assert.ok(position.line >= 1 && position.line <= lines.length, `round ${round}: line ${position.line}`);
      assert.ok(position.column >= 1 && position.column <= lines[position.line - 1]!.length + 1, `round ${round}: column ${position.column}`);
      failures += 1;
    }
  }
  // Most damage is caught; some mutations (a swapped pair of columns) stay valid.
  assert.ok(failures > 750, `only ${failures} of 1500 mutations were refused`);
});
