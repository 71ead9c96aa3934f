/**
 * The import direction docs/architecture.md ("Layers") documents, enforced over every import in
 * src/ (type-only ones included): a folder imports only folders below it, the middle tier's folders
 * import each other without forming a cycle, services never import each other, and client/ stays
 * usable against AWS (core and util only). Any folder of src/ not named below is a service, so a new
 * service's folder is checked as one without editing this file.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** The package's entry files directly in src/ (index.ts): as high as cli/. */
const entry = "(entry)";

/** Higher imports lower; folders of one rank are one tier. Services (rank 3) are every folder not listed. */
const ranks: Readonly<Record<string, number>> = { [entry]: 5, cli: 5, server: 4, console: 4, storage: 2, protocol: 2, auth: 2, core: 1, util: 0 };
const serviceRank = 3;
/** client/ is the library applications use against AWS as well: only these. */
const clientMayImport: ReadonlySet<string> = new Set(["core", "util"]);

export interface FolderImport {
  from: string;
  to: string;
  /** file : specifier, for the message. */
  where: string;
}

const rankOf = (folder: string) => ranks[folder] ?? (folder === "client" ? undefined : serviceRank);

/** Every import that goes against the documented direction, and every cycle among folders, as messages. */
export function layeringViolations(imports: readonly FolderImport[]): string[] {
  const problems: string[] = [];
  const graph = new Map<string, Set<string>>();
  for (const { from, to, where } of imports) {
    if (from === to) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
    if (to === entry) {
      problems.push(`${where}: nothing imports the package entry`);
      continue;
    }
    if (from === "client") {
      if (!clientMayImport.has(to)) problems.push(`${where}: client/ imports only ${[...clientMayImport].join(", ")}, not ${to}/`);
      continue;
    }
    if (to === "client") {
      if (from !== "cli") problems.push(`${where}: only cli/ (kcl) uses client/, not ${from}/`);
      continue;
    }
    const fromRank = rankOf(from)!;
    const toRank = rankOf(to)!;
    if (fromRank < toRank) problems.push(`${where}: ${from}/ is below ${to}/ and may not import it`);
    else if (fromRank === serviceRank && toRank === serviceRank) problems.push(`${where}: services do not import each other (${from}/ → ${to}/)`);
  }
  // Folders of one tier may import each other, but not both ways round (directly or through others).
  const seen = new Set<string>();
  const visit = (folder: string, path: string[]) => {
    const at = path.indexOf(folder);
    if (at >= 0) {
      problems.push(`import cycle among folders: ${[...path.slice(at), folder].join(" → ")}`);
      return;
    }
    if (seen.has(folder)) return;
    for (const next of graph.get(folder) ?? []) visit(next, [...path, folder]);
    seen.add(folder);
  };
  for (const folder of graph.keys()) visit(folder, []);
  return [...new Set(problems)];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const folderOf = (path: string) => {
  const parts = relative(srcDir, path).split("/");
  return parts.length > 1 ? parts[0]! : entry;
};

/** `import … from "…"`, `export … from "…"` (type-only too) and `import("…")`, relative ones only. */
const importPattern = /(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g;

function srcImports(): FolderImport[] {
  return sourceFiles(srcDir).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(importPattern)]
      .map((match) => match[1] ?? match[2] ?? match[3]!)
      .filter((specifier) => specifier.startsWith("."))
      .map((specifier) => ({ from: folderOf(file), to: folderOf(resolve(dirname(file), specifier)), where: `${relative(srcDir, file)} : ${specifier}` })),
  );
}

describe("layering", () => {
  it("layering > every import in src/ follows the documented direction, with no cycle among folders", () => {
    const imports = srcImports();
    assert.ok(imports.length > 500, `found ${imports.length} relative imports: the pattern no longer reads them`);
    assert.deepEqual(layeringViolations(imports), []);
  });

  it("layering > the checker names imports against the direction, between services, from client/, and cycles", () => {
    const at = (from: string, to: string) => ({ from, to, where: `${from}/x.ts : ../${to}/y.js` });
    assert.deepEqual(layeringViolations([at("server", "streams"), at("streams", "protocol"), at("protocol", "util"), at("cli", "client"), at("client", "core")]), []);
    assert.deepEqual(layeringViolations([at("auth", "streams")]), ["auth/x.ts : ../streams/y.js: auth/ is below streams/ and may not import it"]);
    assert.deepEqual(layeringViolations([at("streams", "server")]), ["streams/x.ts : ../server/y.js: streams/ is below server/ and may not import it"]);
    // A folder the list does not name is a service, as a new service's folder is.
    assert.deepEqual(layeringViolations([at("streams", "objects")]), ["streams/x.ts : ../objects/y.js: services do not import each other (streams/ → objects/)"]);
    assert.deepEqual(layeringViolations([at("client", "protocol")]), ["client/x.ts : ../protocol/y.js: client/ imports only core, util, not protocol/"]);
    assert.deepEqual(layeringViolations([at("protocol", "auth"), at("auth", "protocol")]), ["import cycle among folders: protocol → auth → protocol"]);
  });
});
