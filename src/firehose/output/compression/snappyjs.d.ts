/** Types for snappyjs (pure-JS raw Snappy blocks; the package ships none). */
declare module "snappyjs" {
  /** One raw Snappy block (format_description.txt): a varint length, then literals and copies. */
  export function compress(uncompressed: Buffer): Buffer;
  export function uncompress(compressed: Buffer, maxLength?: number): Buffer;
}
