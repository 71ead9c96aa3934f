/**
 * S3's naming rules for general purpose buckets (S3 User Guide, "General purpose bucket naming
 * rules"): 3 to 63 characters of lowercase letters, digits, dots and hyphens, starting and ending
 * with a letter or digit, no two adjacent dots, not an IPv4 address, and none of the prefixes and
 * suffixes S3 reserves. The legacy us-east-1 names (capitals, underscores) are not accepted, as
 * S3 no longer accepts them for new buckets.
 */
const reservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
const reservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

export function isValidBucketName(name: string): boolean {
  if (name.length < 3 || name.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (name.includes("..")) return false;
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return false;
  if (reservedPrefixes.some((prefix) => name.startsWith(prefix))) return false;
  return !reservedSuffixes.some((suffix) => name.endsWith(suffix));
}
