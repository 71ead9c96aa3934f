/**
 * S3's bucket naming rules for general purpose buckets, as far as a bucket the local client creates
 * needs them: 3 to 63 characters of lowercase letters, digits, dots and hyphens, beginning and ending
 * with a letter or digit, no two adjacent dots, not formatted as an IPv4 address, none of the
 * reserved prefixes and suffixes. (The S3 service checks requests with its own copy: storage may
 * not import src/s3.)
 */
const reservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
const reservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

export function isValidBucketName(name: string): boolean {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) return false;
  if (name.includes("..")) return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return false;
  if (reservedPrefixes.some((prefix) => name.startsWith(prefix))) return false;
  return !reservedSuffixes.some((suffix) => name.endsWith(suffix));
}
