/**
 * `npm run test:fast` (scripts/test-fast.sh) leaves out whole directories of slow tests. The rule
 * is the directory alone, so a test that starts the built server or package as a process belongs
 * in one of them: otherwise the quick suite would need `npm run build` and slow down unnoticed.
 * And one style of declaration everywhere (test/helpers/README.md): describe/it, never `test`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const script = readFileSync(join(repoRoot, "scripts/test-fast.sh"), "utf8");
const slowDirectories = [...script.matchAll(/-not -path '(test\/[a-z0-9-]+)\/\*'/g)].map((match) => match[1]!);

function testFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".test.ts") ? [relative(repoRoot, path)] : [];
  });
}

/** What marks a test as a process test of the built server or package. */
const processMarkers = [/cli\/cli-process\.js/, /cli\/process-group\.js/, /\bdist\//, /\bbin\/tributary\b/];

describe("tests > fast and slow", () => {
  it("the quick suite leaves out the slow directories, each documented in its script", () => {
    assert.deepEqual([...slowDirectories].sort(), ["test/cli", "test/container", "test/crash", "test/docs", "test/e2e", "test/embedding"]);
    for (const directory of slowDirectories) {
      assert.ok(existsSync(join(repoRoot, directory)), `${directory} exists`);
      assert.match(script, new RegExp(`^#\\s+${directory}\\s+\\S`, "m"), `${directory} is explained in scripts/test-fast.sh`);
    }
  });

  it("no test outside the slow directories starts the built server or package", () => {
    const fast = testFiles(join(repoRoot, "test")).filter((file) => !slowDirectories.some((directory) => file.startsWith(`${directory}/`)));
    assert.ok(fast.length > 50, `${fast.length} fast test files`);
    const offenders = fast.filter((file) => {
      const source = readFileSync(join(repoRoot, file), "utf8");
      return processMarkers.some((marker) => marker.test(source));
    });
    assert.deepEqual(offenders, []);
  });
});

describe("tests > style", () => {
  it("every test file declares its tests with describe/it: none imports node:test's `test`", () => {
    const files = testFiles(join(repoRoot, "test"));
    const offenders = files.filter((file) => {
      const imports = readFileSync(join(repoRoot, file), "utf8").match(/import \{([^}]*)\} from "node:test"/);
      return imports !== null && imports[1]!.split(",").some((name) => name.trim() === "test");
    });
    assert.ok(files.length > 100, `${files.length} test files`);
    assert.deepEqual(offenders, []);
  });
});
