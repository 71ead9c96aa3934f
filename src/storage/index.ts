export type * from "./types.js";
export { createMemoryEngine } from "./memory/memory-engine.js";
