/** Java regular expressions translated to JavaScript: the constructs whose meaning differs. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { translateJavaRegex } from "../../../src/analytics/sql/functions/scalar/java-regex.js";
import { compileReplacement, expandReplacement } from "../../../src/analytics/sql/functions/scalar/java-replacement.js";

function matches(pattern: string, text: string): string[] | null {
  const java = translateJavaRegex(pattern);
  const match = new RegExp(`^(?:${java.source})$`, java.flags.replace("m", "")).exec(text);
  if (match === null) return null;
  return java.groupIndex.slice(0, java.groupCount + 1).map((index) => match[index] ?? "");
}

describe("translateJavaRegex", () => {
  it("possessive quantifiers never give back (and keep Java's group numbers)", () => {
    assert.equal(matches("a*+a", "aaa"), null);
    assert.deepEqual(matches("(a)*+b", "aab"), ["aab", "a"]);
    assert.deepEqual(matches("(x)(\\d++)(y)", "x12y"), ["x12y", "x", "12", "y"]);
    assert.equal(matches("(?>a|ab)c", "abc"), null);
    assert.deepEqual(matches("(?>ab|a)c", "abc"), ["abc"]);
  });

  it("\\A, \\z, \\Q…\\E, \\e, POSIX classes, '.' and '$' line rules", () => {
    assert.deepEqual(matches("\\Aab\\z", "ab"), ["ab"]);
    assert.deepEqual(matches("\\Q1+1=2\\E", "1+1=2"), ["1+1=2"]);
    assert.deepEqual(matches("\\p{Alpha}+\\p{Digit}", "abc7"), ["abc7"]);
    assert.equal(matches("\\p{Upper}", "a"), null);
    assert.equal(new RegExp(translateJavaRegex(".").source).test("\u0085"), false);
    assert.equal(new RegExp(translateJavaRegex("a$").source).test("a\n"), true);
    assert.deepEqual(matches("[]a]+", "]a]"), ["]a]"]);
    assert.deepEqual(matches("(?i)abc", "ABC"), ["ABC"]);
    assert.deepEqual(matches("(?<word>\\w+) \\k<word>", "hi hi"), ["hi hi", "hi"]);
  });

  it("refuses what it cannot translate faithfully", () => {
    assert.throws(() => translateJavaRegex("[a-z&&[^aeiou]]"), /intersection/);
    assert.throws(() => translateJavaRegex("a(?i)b"), /flags inside a pattern/);
    assert.throws(() => translateJavaRegex("\\Gx"), /\\G/);
    assert.throws(() => translateJavaRegex("(a"), /Unclosed group/);
    assert.throws(() => translateJavaRegex("*a"), /Dangling meta character/);
  });
});

describe("compileReplacement", () => {
  it("reads $n greedily while the group exists, ${name}, and \\ escapes", () => {
    const java = translateJavaRegex("(a)(b)(?<c>c)");
    const match = new RegExp(java.source).exec("abc")!;
    assert.equal(expandReplacement(compileReplacement("$2$1-$31-${c}-\\$", java), match, java), "ba-c1-c-$");
    assert.throws(() => compileReplacement("$9", java), /No group 9/);
    assert.throws(() => compileReplacement("$x", java), /Illegal group reference/);
  });
});
