/** Start/StopStreamEncryption's own members (AWS's model: EncryptionType NONE | KMS, KeyId 1..2048). */
import type { StringShape } from "../../protocol/shapes.js";

export const keyIdLengthMax = 2048;

export const EncryptionType: StringShape = { type: "string", required: true, enum: ["NONE", "KMS"] };
export const KeyId: StringShape = { type: "string", required: true, lengthMin: 1, lengthMax: keyIdLengthMax };
