/**
 * `tributary-server/client`: client-side pieces that work against Tributary and against AWS alike. They
 * depend only on the AWS SDK clients, src/core and src/util — never on the server's internals.
 */
export * from "./kpl/index.js";
export * from "./producer/index.js";
export * from "./consumer/index.js";
