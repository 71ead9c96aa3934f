/**
 * Data keys: one random 256-bit key per stream per encryption start, stored in the catalog only
 * wrapped under the master key (docs/formats/catalog.md, "Encryption").
 *
 *   wrappedKey = base64( nonce (12, random) | AES-256-GCM ciphertext of the key (32) | tag (16) )
 *   AAD        = "tributary data key v1" 0x00 streamId 0x00 keyRef (decimal) 0x00 KeyId
 *
 * The AAD binds a wrapped key to its stream and reference: a wrapped key copied into another
 * stream's entry, or given another reference, fails to unwrap rather than opening that stream's
 * records. Keys are wrapped rarely (at most 25 a day per stream), so random nonces are safe.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { MasterKey } from "./master-key.js";

export const dataKeyBytes = 32;
const nonceBytes = 12;
const tagBytes = 16;
const wrappedBytes = nonceBytes + dataKeyBytes + tagBytes;

export interface DataKeyBinding {
  streamId: string;
  keyRef: number;
  KeyId: string;
}

/** A fresh data key, from the CSPRNG itself (never from an injected, maybe seeded, Random). */
export function newDataKey(): Buffer {
  return randomBytes(dataKeyBytes);
}

export function wrapDataKey(master: MasterKey, dataKey: Buffer, binding: DataKeyBinding): string {
  const nonce = randomBytes(nonceBytes);
  const cipher = createCipheriv("aes-256-gcm", master.wrappingKey, nonce);
  cipher.setAAD(aadOf(binding));
  const sealed = Buffer.concat([nonce, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  return sealed.toString("base64");
}

export type UnwrapOutcome = { ok: true; dataKey: Buffer } | { ok: false; reason: string };

export function unwrapDataKey(master: MasterKey, wrappedKey: string, binding: DataKeyBinding): UnwrapOutcome {
  const sealed = Buffer.from(wrappedKey, "base64");
  if (sealed.length !== wrappedBytes) return { ok: false, reason: `the wrapped key is ${sealed.length} bytes, not ${wrappedBytes}` };
  const decipher = createDecipheriv("aes-256-gcm", master.wrappingKey, sealed.subarray(0, nonceBytes));
  decipher.setAAD(aadOf(binding));
  decipher.setAuthTag(sealed.subarray(nonceBytes + dataKeyBytes));
  try {
    const dataKey = Buffer.concat([decipher.update(sealed.subarray(nonceBytes, nonceBytes + dataKeyBytes)), decipher.final()]);
    return { ok: true, dataKey };
  } catch {
    return { ok: false, reason: "it fails authentication under this master key" };
  }
}

function aadOf(binding: DataKeyBinding): Buffer {
  return Buffer.from(`tributary data key v1\0${binding.streamId}\0${binding.keyRef}\0${binding.KeyId}`, "utf8");
}
