/** Encryption at rest for Kinesis Data Streams (docs/encryption.md). */
export { KeyRing, DataKeyError } from "./key-ring.js";
export { startEncryption, stopEncryption, keysAppliedPerWindowMax } from "./stream-keys.js";
export { isKmsKeyReference } from "./key-id.js";
export { openSealedRecords, requestSealer, sealGroups, sealRecord, SealedRecordError } from "./records.js";
