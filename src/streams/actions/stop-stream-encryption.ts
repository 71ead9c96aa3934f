import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { streamReference } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { EncryptionType, KeyId } from "../encryption/shapes.js";
import { stopEncryption } from "../encryption/index.js";
import type { StreamReference } from "../stream-registry.js";

interface StopStreamEncryptionInput extends StreamReference {
  EncryptionType: "NONE" | "KMS";
  KeyId: string;
}

/**
 * StopStreamEncryption: records written from now on are stored in the clear again; those already
 * encrypted stay readable (their key is kept while any of them is). The stream is UPDATING for
 * config.updateStreamMs. A stream that is not encrypted is left as it is. Checks in
 * StartStreamEncryption's order.
 */
export const stopStreamEncryption = defineAction<StopStreamEncryptionInput, undefined>({
  iamAction: "kinesis:StopStreamEncryption",
  resources: streamResource,
  plane: "control",
  shape: {
    type: "structure",
    members: { EncryptionType, KeyId, ...streamReference },
  },
  async run(context, input) {
    if (input.EncryptionType !== "KMS") throw streamsErrors.encryptionTypeNotKms("StopStreamEncryption", input.EncryptionType);
    await stopEncryption(context, input, input.KeyId);
    return undefined;
  },
});
