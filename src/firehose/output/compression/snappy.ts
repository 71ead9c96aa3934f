import snappy from "snappyjs";
import { ChunkList, type Compressor } from "./compressor.js";

/**
 * Firehose's two Snappy CompressionFormats are two containers around raw Snappy blocks
 * (google/snappy format_description.txt; the blocks come from snappyjs). Objects delivered by
 * Firehose are byte for byte what xerial snappy-java's streams write with their defaults:
 *
 * `Snappy` — snappy-java's SnappyOutputStream (magic 0x82 "SNAPPY" 0x00; not the framing format
 * of google/snappy framing_format.txt, and not Hadoop's), Content-Encoding `snappy-java`:
 *
 *   stream  = header block*
 *   header  = 82 53 4E 41 50 50 59 00  version:u32be(1)  compatibleVersion:u32be(1)   (16 bytes)
 *   block   = compressedLength:u32be  rawSnappy[compressedLength]
 *
 * `HADOOP_SNAPPY` — Hadoop's BlockCompressorStream as SnappyHadoopCompatibleOutputStream writes
 * it (one compressed chunk per block, no stream header), Content-Encoding `hadoop-snappy`:
 *
 *   stream  = block*
 *   block   = uncompressedLength:u32be  chunk+        (the chunks' uncompressed sizes sum to it)
 *   chunk   = compressedLength:u32be  rawSnappy[compressedLength]
 *
 * Both cut the input into blocks of 32 KiB (snappy-java's DEFAULT_BLOCK_SIZE); the last block
 * holds the rest. An empty Snappy stream is its 16-byte header; an empty Hadoop stream is empty.
 */
export const snappyBlockBytes = 32 * 1024;
export const snappyJavaMagic = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const snappyJavaVersion = 1;
const snappyJavaCompatibleVersion = 1;

export type SnappyFraming = "snappy-java" | "hadoop";

export function snappyCompressor(framing: SnappyFraming): Compressor {
  const output = new ChunkList();
  let block = Buffer.allocUnsafe(snappyBlockBytes);
  let filled = 0;
  let inputBytes = 0;
  let finished = false;
  if (framing === "snappy-java") output.push(snappyJavaHeader());

  const compressBlock = (): void => {
    if (filled === 0) return;
    const raw = snappy.compress(block.subarray(0, filled));
    const lengths = Buffer.allocUnsafe(framing === "hadoop" ? 8 : 4);
    if (framing === "hadoop") {
      lengths.writeUInt32BE(filled, 0);
      lengths.writeUInt32BE(raw.length, 4);
    } else {
      lengths.writeUInt32BE(raw.length, 0);
    }
    output.push(lengths);
    output.push(raw);
    filled = 0;
  };

  return {
    write(data) {
      if (finished) throw new Error("compressor already finished");
      inputBytes += data.length;
      let at = 0;
      while (at < data.length) {
        const take = Math.min(snappyBlockBytes - filled, data.length - at);
        block.set(data.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === snappyBlockBytes) compressBlock();
      }
    },
    drain: async () => {},
    async finish() {
      if (finished) throw new Error("compressor already finished");
      finished = true;
      compressBlock();
      return output.concat();
    },
    discard() {
      finished = true;
      output.clear();
      block = Buffer.alloc(0);
    },
    get inputBytes() {
      return inputBytes;
    },
  };
}

function snappyJavaHeader(): Buffer {
  const header = Buffer.alloc(16);
  snappyJavaMagic.copy(header, 0);
  header.writeUInt32BE(snappyJavaVersion, 8);
  header.writeUInt32BE(snappyJavaCompatibleVersion, 12);
  return header;
}
