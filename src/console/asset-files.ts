/**
 * Where the console's files are read from, lazily and once: the browser code (plain ES modules in
 * assets/, served as they are: no bundler) and two vendored libraries resolved in node_modules at
 * serve time (uPlot for charts, aws4fetch for SigV4 signing in the browser). Nothing is read at
 * start: the first request for a file reads it, and its bytes (and their gzip) stay cached, so the
 * console costs the server's start nothing.
 *
 * The assets folder is found beside the package root: src/console/assets when running from the
 * sources (tsx), dist/console/assets when running from the build (dist/console/*.js or the bundle,
 * dist/bundle/tributary.mjs; scripts/bundle.mjs copies the folder there).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";

export interface AssetFile {
  body: Buffer;
  /** The body gzipped, made on first use. */
  gzip(): Buffer;
  contentType: string;
  etag: string;
}

const contentTypes: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** Names a request may ask for in assets/: one level, lower-case kebab names, known types only (no `..`). */
const assetNamePattern = /^[a-z0-9][a-z0-9-]*\.(?:html|js|css|svg)$/;

/** Vendored libraries: the name served under vendor/ → how to read it from its package. */
const vendorFiles: Readonly<Record<string, () => Buffer>> = {
  // uPlot's minified IIFE (51 kB against the 145 kB ES module) declares `var uPlot`; inside a
  // module that variable is module-scoped, so one export line makes it an ES module.
  "uplot.js": () => Buffer.concat([readFileSync(join(packageDir("uplot"), "uPlot.iife.min.js")), Buffer.from("\nexport default uPlot;\n")]),
  "uplot.css": () => readFileSync(join(packageDir("uplot"), "uPlot.min.css")),
  "aws4fetch.js": () => readFileSync(join(packageDir("aws4fetch"), "aws4fetch.esm.mjs")),
};

/** The folder of a dependency's main file (its dist/), resolved from this module as Node would. */
function packageDir(name: string): string {
  return dirname(createRequire(import.meta.url).resolve(name));
}

/** The console's assets folder for the code running now (see the module comment). */
export function assetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  let root = here;
  while (!existsSync(join(root, "package.json")) && dirname(root) !== root) root = dirname(root);
  const fromSources = here.startsWith(join(root, "src") + sep);
  return join(root, fromSources ? "src" : "dist", "console", "assets");
}

/** Reads and caches the console's files; `undefined` for a name that is not one. */
export class AssetStore {
  private readonly cache = new Map<string, AssetFile | undefined>();

  constructor(private readonly dir: () => string = assetsDir) {}

  /** `name` is a file of assets/ ("app.js") or of vendor/ ("vendor/uplot.js"). */
  get(name: string): AssetFile | undefined {
    if (this.cache.has(name)) return this.cache.get(name);
    const file = this.read(name);
    // Unknown names are not cached: a scanner asking for many would grow the map without bound.
    if (file !== undefined) this.cache.set(name, file);
    return file;
  }

  private read(name: string): AssetFile | undefined {
    const vendor = name.startsWith("vendor/") ? vendorFiles[name.slice("vendor/".length)] : undefined;
    if (name.startsWith("vendor/") && vendor === undefined) return undefined;
    if (vendor === undefined && !assetNamePattern.test(name)) return undefined;
    let body: Buffer;
    try {
      body = vendor !== undefined ? vendor() : readFileSync(join(this.dir(), name));
    } catch {
      return undefined;
    }
    const extension = name.slice(name.lastIndexOf("."));
    let gzipped: Buffer | undefined;
    return {
      body,
      gzip: () => (gzipped ??= gzipSync(body)),
      contentType: contentTypes[extension] ?? "application/octet-stream",
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`,
    };
  }
}
