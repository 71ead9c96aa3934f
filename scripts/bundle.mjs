// Bundles the compiled CLI (dist/cli/main.js) and its runtime dependencies into dist/bundle/, whose
// entry, dist/bundle/tributary.mjs, bin/tributary.js runs. One module instead of ~150 halves the
// server's start-to-ready time (Node resolves, reads and links each ES module separately);
// docs/performance.md has the figures. The unbundled dist/ stays for library use.
//
// Code splitting keeps what only `tributary kcl` needs (the consumer, the multilang daemon and the
// AWS SDK clients, which stay external and load from node_modules) in chunks loaded by that
// command's dynamic import: in a single-file ES module bundle their imports would be hoisted to the
// top and loaded, and parsed, by every `tributary server` start (~120 ms more).
import { cpSync, rmSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist/bundle", { recursive: true, force: true });
// The web console's browser files are served as they are (src/console/asset-files.ts reads them
// from dist/console/assets when running from the build); tsc compiles only the .ts beside them.
rmSync("dist/console/assets", { recursive: true, force: true });
cpSync("src/console/assets", "dist/console/assets", { recursive: true });
await build({
  // The Analytics engine's worker thread is an entry of its own: the runtime starts it from beside
  // the chunk it is in (src/analytics/runtime/worker/worker-entry.ts).
  entryPoints: { tributary: "dist/cli/main.js", "analytics-worker": "dist/analytics/runtime/worker/engine-worker.js" },
  outdir: "dist/bundle",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  external: ["@aws-sdk/*", "@smithy/*"],
  // Bundled CommonJS dependencies (pino) call require(); give the ES module one.
  banner: { js: "import { createRequire as __tributaryCreateRequire } from 'node:module'; const require = __tributaryCreateRequire(import.meta.url);" },
});
