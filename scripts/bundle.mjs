// Bundles the compiled CLI (dist/cli/main.js) and its runtime dependencies into one ES module,
// dist/tributary.mjs, which bin/tributary.js runs. One file instead of ~150 modules halves the
// server's start-to-ready time (Node resolves, reads and links each ES module separately);
// docs/performance.md has the figures. The unbundled dist/ stays for library use.
import { build } from "esbuild";

await build({
  entryPoints: ["dist/cli/main.js"],
  outfile: "dist/tributary.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  // Bundled CommonJS dependencies (pino) call require(); give the ES module one.
  banner: { js: "import { createRequire as __tributaryCreateRequire } from 'node:module'; const require = __tributaryCreateRequire(import.meta.url);" },
});
