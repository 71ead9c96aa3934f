import { constants } from "node:zlib";
import type { Compressor } from "./compressor.js";
import { ParallelDeflate } from "./parallel-deflate.js";

/**
 * ZIP: an archive with one DEFLATEd entry holding the object's bytes, laid out as Java's
 * java.util.zip.ZipOutputStream writes a streamed entry (Firehose is a Java service; objects it
 * delivered hold a single entry named by a UUID unrelated to the object key):
 *
 *   local file header   PK\3\4, version 20, flags 0x0808 (data descriptor follows, UTF-8 name),
 *                        method 8, DOS time and date, CRC and sizes 0, name
 *   entry data          raw DEFLATE (RFC 1951): one stream, compressed in parallel pieces
 *                        (parallel-deflate.ts), so a ZIP buffer compresses as fast as a GZIP one
 *   data descriptor     PK\7\8, CRC-32, compressed size, uncompressed size
 *   central directory   PK\1\2, made by 20, needed 20, the same flags, method, time, CRC, sizes,
 *                        name, local header at offset 0
 *   end of directory    PK\5\6, one entry, directory size and offset
 *
 * Sizes are 32-bit (no ZIP64): a Firehose object is at most BufferingHints' 128 MiB.
 */
const flags = 0x0808;
const versionNeeded = 20;
const methodDeflated = 8;
const zip32BytesMax = 0xffffffff;

export interface ZipOptions {
  /** The single entry's name. */
  readonly entryName: string;
  /** The entry's modification time (stored as a DOS date and time in UTC). */
  readonly modifiedMs: number;
  readonly level?: number;
}

export function zipCompressor(options: ZipOptions): Compressor {
  const deflate = new ParallelDeflate(options.level ?? constants.Z_DEFAULT_COMPRESSION);
  const name = Buffer.from(options.entryName, "utf8");
  const { time, date } = dosDateTime(options.modifiedMs);
  return {
    write: (data) => deflate.write(data),
    drain: () => deflate.drain(),
    async finish() {
      const pieces = await deflate.finish();
      const compressedSize = pieces.reduce((sum, piece) => sum + piece.length, 0);
      const size = deflate.inputBytes;
      const crc = deflate.crc;
      if (size > zip32BytesMax || compressedSize > zip32BytesMax) throw new Error("zip entry over 4 GiB needs ZIP64");
      const entry = { name, time, date, crc, compressedSize, size };
      const local = localHeader(entry);
      const descriptor = dataDescriptor(entry);
      const directoryOffset = local.length + compressedSize + descriptor.length;
      const directory = centralHeader(entry);
      return Buffer.concat([local, ...pieces, descriptor, directory, endOfDirectory(directory.length, directoryOffset)]);
    },
    discard: () => deflate.discard(),
    get inputBytes() {
      return deflate.inputBytes;
    },
  };
}

interface Entry {
  readonly name: Buffer;
  readonly time: number;
  readonly date: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
}

function localHeader(entry: Entry): Buffer {
  const header = Buffer.alloc(30 + entry.name.length);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(versionNeeded, 4);
  header.writeUInt16LE(flags, 6);
  header.writeUInt16LE(methodDeflated, 8);
  header.writeUInt16LE(entry.time, 10);
  header.writeUInt16LE(entry.date, 12);
  // CRC-32 and both sizes stay 0 here: flag bit 3 says they follow the data.
  header.writeUInt16LE(entry.name.length, 26);
  entry.name.copy(header, 30);
  return header;
}

function dataDescriptor(entry: Entry): Buffer {
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(entry.crc >>> 0, 4);
  descriptor.writeUInt32LE(entry.compressedSize, 8);
  descriptor.writeUInt32LE(entry.size, 12);
  return descriptor;
}

function centralHeader(entry: Entry): Buffer {
  const header = Buffer.alloc(46 + entry.name.length);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(versionNeeded, 4); // version made by: what Java writes (MS-DOS host, 2.0)
  header.writeUInt16LE(versionNeeded, 6);
  header.writeUInt16LE(flags, 8);
  header.writeUInt16LE(methodDeflated, 10);
  header.writeUInt16LE(entry.time, 12);
  header.writeUInt16LE(entry.date, 14);
  header.writeUInt32LE(entry.crc >>> 0, 16);
  header.writeUInt32LE(entry.compressedSize, 20);
  header.writeUInt32LE(entry.size, 24);
  header.writeUInt16LE(entry.name.length, 28);
  // extra, comment, disk number, attributes and the local header's offset (0) stay 0.
  entry.name.copy(header, 46);
  return header;
}

function endOfDirectory(directoryBytes: number, directoryOffset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(directoryBytes, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return end;
}

/** MS-DOS date and time (2-second resolution, years 1980–2107), in UTC. */
export function dosDateTime(ms: number): { time: number; date: number } {
  const at = new Date(ms);
  const year = Math.min(Math.max(at.getUTCFullYear(), 1980), 2107);
  const time = (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | (at.getUTCSeconds() >> 1);
  const date = ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate();
  return { time, date };
}
