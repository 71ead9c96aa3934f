// Loaded with `node --import` before a docs example runs: installs resolve-hooks.mjs (see there).
import { register } from "node:module";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
register("./resolve-hooks.mjs", import.meta.url, { data: { repoRoot } });
