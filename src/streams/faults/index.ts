/**
 * Deterministic fault injection for the Data Streams API (docs/fault-injection.md): throttling,
 * InternalFailure, ServiceUnavailable, latency and PutRecords partial failures, per action and
 * stream, by seeded rate or by call-number schedule.
 */
import { streamsActions } from "../actions/index.js";
import { parseFaultConfigText, type FaultConfigOutcome } from "./fault-config.js";

export { FaultControl, type FaultSnapshot } from "./fault-control.js";
export { SharedFaultRules } from "./shared-fault-rules.js";
export type { PutRecordsFaults } from "./put-records-faults.js";
export { faultConfigBytesMax, type FaultConfig, type FaultConfigOutcome, type FaultRule } from "./fault-config.js";
export type { FaultCounters } from "./fault-injector.js";

/** Checks a rules document (the `--faults` file's text) against the service's actions. */
export function parseFaultRules(text: string): FaultConfigOutcome {
  return parseFaultConfigText(text, Object.keys(streamsActions));
}
