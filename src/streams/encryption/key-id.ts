/**
 * StartStreamEncryption's KeyId: which KMS key the client names. Tributary has no KMS, so a
 * well-formed reference is taken as an existing, enabled key (docs/encryption.md); the forms are
 * the ones AWS documents:
 *
 *   key id        12345678-1234-1234-1234-123456789012   (or a multi-Region key, mrk-<32 hex>)
 *   key ARN       arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012
 *   alias name    alias/MyAliasName, and Kinesis's own key alias/aws/kinesis
 *   alias ARN     arn:aws:kms:us-east-1:123456789012:alias/MyAliasName
 *
 * KMS keys are regional, so an ARN must name the server's region; another account's key is
 * accepted (AWS allows it with a grant).
 */
const keyIdPattern = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
/** KMS alias names: "alias/" then letters, digits, '/', '_' and '-', at most 256 characters in all. */
const aliasNamePattern = /^alias\/[a-zA-Z0-9/_-]+$/;
const aliasNameLengthMax = 256;
const arnPattern = /^arn:aws(?:-cn|-us-gov)?:kms:([a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:(key|alias)\/(.+)$/;

/** Whether `keyId` names a KMS key in `region` in one of the documented forms. */
export function isKmsKeyReference(keyId: string, region: string): boolean {
  if (keyIdPattern.test(keyId)) return true;
  if (keyId.startsWith("alias/")) return isAliasName(keyId);
  const arn = arnPattern.exec(keyId);
  if (!arn || arn[1] !== region) return false;
  return arn[2] === "key" ? keyIdPattern.test(arn[3]!) : isAliasName(`alias/${arn[3]}`);
}

function isAliasName(name: string): boolean {
  return name.length <= aliasNameLengthMax && aliasNamePattern.test(name);
}
