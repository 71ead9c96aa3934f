/** The replay mode of `tributary analytics run` (run.ts): app.json (config.ts) and records.jsonl (records.ts) in, JSON lines out. */
export { bucketOf, parseReplayConfig, ReplayConfigError, type ReplayConfig } from "./config.js";
export { parseReplayRecords, ReplayRecordError, type ReplayRecord } from "./records.js";
export { replaySeedDefault, runReplay, type ReplayIo, type ReplayOptions, type ReplayOutcome } from "./run.js";
