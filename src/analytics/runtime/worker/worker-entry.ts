/**
 * Starting an engine worker from wherever this code runs: the TypeScript sources under tsx (tests:
 * the worker registers tsx's loader before importing engine-worker.ts, since a worker does not
 * inherit the parent's loader hooks), dist/ (engine-worker.js beside this module), or the bundle
 * (dist/bundle/analytics-worker.mjs, an entry of scripts/bundle.mjs beside the chunk this code is in).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

export function startEngineWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith(".ts")) {
    const source = new URL("./engine-worker.ts", here).href;
    const loader = import.meta.resolve("tsx/esm/api");
    const bootstrap = `import(${JSON.stringify(loader)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); }).catch((error) => { console.error(error); process.exit(70); });`;
    return new Worker(bootstrap, { eval: true });
  }
  const compiled = new URL("./engine-worker.js", here);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled);
  return new Worker(new URL("./analytics-worker.mjs", here));
}
