/**
 * Everything in src that waits goes through the injected clock's timers (src/util/clock.ts), so a
 * ManualClock can drive it: a bare setTimeout/setInterval, or an import of node:timers, outside
 * src/util fails this test. Method calls on other objects (`clock.setTimeout`, an HTTP/2
 * session's `session.setTimeout`, a socket's) are not timers of ours and pass.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const srcDir = fileURLToPath(new URL("../../src", import.meta.url));

/**
 * Files that may still schedule on Node's timers directly, and why. Each entry must still have a
 * raw timer (checked below), so the list cannot go stale.
 */
const allowed = new Map<string, string>([]);

const rawTimer = /(?<![.\w$])(setTimeout|setInterval)\s*\(|["']node:timers(\/promises)?["']|["']timers(\/promises)?["']/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The code without its comments (a comment may name setTimeout when explaining why it is not used). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/[^\n]*/g, "$1");
}

function rawTimersIn(path: string): string[] {
  const lines = withoutComments(readFileSync(path, "utf8")).split("\n");
  return lines.flatMap((line, index) => (line.match(rawTimer) ? [`${index + 1}: ${line.trim()}`] : []));
}

it("no raw setTimeout/setInterval or node:timers in src outside src/util (the clock's timers instead)", () => {
  const offenders: string[] = [];
  for (const path of sourceFiles(srcDir)) {
    const name = relative(srcDir, path).split("\\").join("/");
    if (name.startsWith("util/") || allowed.has(name)) continue;
    for (const hit of rawTimersIn(path)) offenders.push(`src/${name}:${hit}`);
  }
  assert.deepEqual(offenders, [], "schedule on the injected Clock (src/util/clock.ts) instead");
});

it("every file allowed a raw timer still has one (the list does not go stale)", () => {
  for (const name of allowed.keys()) {
    let hits: string[];
    try {
      hits = rawTimersIn(join(srcDir, name));
    } catch {
      hits = [];
    }
    assert.notDeepEqual(hits, [], `src/${name} no longer uses a raw timer (or is gone): remove it from the allowlist`);
  }
});

it("the check finds what it is meant to find", () => {
  const hits = (code: string) => withoutComments(code).match(rawTimer) ?? [];
  assert.equal(hits("const t = setTimeout(() => f(), 5);").length, 1);
  assert.equal(hits("setInterval(tick, 1000)").length, 1);
  assert.equal(hits('import { setTimeout as sleep } from "node:timers/promises";').length, 1);
  assert.equal(hits("clock.setTimeout(() => f(), 5, { unref: true });").length, 0);
  assert.equal(hits("session.setTimeout(idleMs);").length, 0);
  assert.equal(hits("// setTimeout(x) in a comment\n/* setInterval(y) */").length, 0);
  assert.equal(hits('const url = "http://example"; setTimeout(f, 1);').length, 1);
});
