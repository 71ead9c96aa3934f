/** Encryption at rest: the master key, wrapped data keys and sealed records (docs/encryption.md). */
export {
  ephemeralMasterKey, fixedMasterKey, masterKeyFromBytes, newMasterKeyText, parseMasterKey, masterKeyBytes,
  type MasterKey, type MasterKeySource,
} from "./master-key.js";
export { dataDirMasterKey, generatedKeyFileName, MasterKeyError, readMasterKeyFile } from "./master-key-file.js";
export { newDataKey, unwrapDataKey, wrapDataKey, type DataKeyBinding } from "./data-key.js";
export { RecordOpener, RequestSealer, sealedOverheadBytes, type SealBinding } from "./record-seal.js";
