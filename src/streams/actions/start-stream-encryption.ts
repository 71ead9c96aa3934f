import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { streamReference } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { EncryptionType, KeyId } from "../encryption/shapes.js";
import { startEncryption } from "../encryption/index.js";
import type { StreamReference } from "../stream-registry.js";

interface StartStreamEncryptionInput extends StreamReference {
  EncryptionType: "NONE" | "KMS";
  KeyId: string;
}

/**
 * StartStreamEncryption: from now on the stream's records are stored encrypted under a new data
 * key (docs/encryption.md), and the stream is UPDATING for config.updateStreamMs. Another KeyId
 * on an encrypted stream rotates to a new key; the KeyId already in use changes nothing. Checks
 * in AWS's order: EncryptionType KMS, the stream exists and is ACTIVE, the KeyId names a KMS key,
 * at most 25 new keys in 24 hours.
 */
export const startStreamEncryption = defineAction<StartStreamEncryptionInput, undefined>({
  iamAction: "kinesis:StartStreamEncryption",
  resources: streamResource,
  plane: "control",
  shape: {
    type: "structure",
    members: { EncryptionType, KeyId, ...streamReference },
  },
  async run(context, input) {
    if (input.EncryptionType !== "KMS") throw streamsErrors.encryptionTypeNotKms("StartStreamEncryption", input.EncryptionType);
    await startEncryption(context, input, input.KeyId);
    return undefined;
  },
});
