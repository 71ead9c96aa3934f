export type * from "./types.js";
export { createMemoryEngine } from "./memory/memory-engine.js";
export { createEmbeddedEngine, type EmbeddedEngineOptions, type FsyncPolicy } from "./embedded/embedded-engine.js";
export { nodeFs, type FsPort, type FileHandlePort } from "./embedded/fs-port.js";
export { createNatsEngine, NatsEngineError, natsPrefixDefault, type NatsEngine, type NatsEngineOptions, type NatsEngineDeps } from "./nats/nats-engine.js";
