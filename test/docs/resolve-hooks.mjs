// Module resolution hooks for the docs' js and ts examples, which run from a temporary directory
// outside the repository (loaded by register.mjs, after tsx's hooks). Two rules, so an example
// imports exactly what a user of the package writes:
// - the package's own name (`tributary/client`, or whatever package.json calls it) resolves
//   through package.json "exports", as Node's self-reference does, and then from the build in
//   dist/ to the source it is built from in src/ (through tsx), so the examples test the
//   current source without a build;
// - any other bare specifier (`@aws-sdk/client-kinesis`) resolves as from the repository root,
//   from its node_modules.
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

let repoRoot = "";
let packageJson = { name: "", exports: {} };

export function initialize(data) {
  repoRoot = data.repoRoot;
  packageJson = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
}

function exportTarget(subpath) {
  const exports = packageJson.exports ?? {};
  const entry = typeof exports === "string" ? (subpath === "." ? exports : undefined) : exports[subpath];
  if (typeof entry === "string") return entry;
  if (entry && typeof entry === "object") return entry.import ?? entry.default;
  return undefined;
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}

export async function resolve(specifier, context, nextResolve) {
  const name = packageJson.name;
  if (specifier === name || specifier.startsWith(`${name}/`)) {
    const subpath = specifier === name ? "." : `./${specifier.slice(name.length + 1)}`;
    const target = exportTarget(subpath);
    if (target === undefined) throw new Error(`${specifier}: package.json "exports" has no "${subpath}" entry`);
    const source = /^\.\/dist\/(.*)\.js$/.exec(target);
    const sourcePath = source ? join(repoRoot, "src", `${source[1]}.ts`) : undefined;
    const path = sourcePath !== undefined && existsSync(sourcePath) ? sourcePath : join(repoRoot, target);
    // Through the next hooks (tsx), which take a .ts file only when they resolved it themselves.
    return nextResolve(pathToFileURL(path).href, context);
  }
  const parentPath = context.parentURL?.startsWith("file:") ? new URL(context.parentURL).pathname : "";
  if (isBare(specifier) && !parentPath.startsWith(repoRoot)) {
    return nextResolve(specifier, { ...context, parentURL: pathToFileURL(join(repoRoot, "package.json")).href });
  }
  return nextResolve(specifier, context);
}
