/**
 * Page-aligned buffers for O_DIRECT blob writes (blob-files.ts: two staging buffers per blob being
 * written) and reads (blob-reads.ts: one per read in flight, handed back when it lands). O_DIRECT
 * wants the buffer's address aligned to the device's block size, and a Node Buffer's bytes come
 * from malloc (16-byte aligned); a WebAssembly.Memory's bytes start on a page boundary, so the
 * buffers are carved out of a few of those. Each memory reserves address space far beyond its size
 * (V8's guard regions), so there are few, shared by every engine in the process, and bounded: when
 * all are in use a write or a read goes through the page cache instead (slower, never refused).
 */

/** Bytes per buffer: one write(2) each. */
export const alignedBufferBytes = 1024 * 1024;
/** What O_DIRECT positions and lengths are rounded to: every common device's block size divides it. */
export const directAlignmentBytes = 4096;
const wasmPageBytes = 64 * 1024;
/** Buffers per memory. */
const buffersPerArena = 4;
/** Memories at most: 32 buffers — say 8 large blobs written at once with two each and 4 read with four reads in flight. */
const arenasMax = 8;

const free: Buffer[] = [];
let arenas = 0;

/** A page-aligned buffer of alignedBufferBytes, or undefined when every one is taken. */
export function takeAlignedBuffer(): Buffer | undefined {
  if (free.length === 0 && arenas < arenasMax) {
    const pages = (buffersPerArena * alignedBufferBytes) / wasmPageBytes;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    arenas++;
    for (let at = 0; at < buffersPerArena; at++) free.push(Buffer.from(memory.buffer, at * alignedBufferBytes, alignedBufferBytes));
  }
  return free.pop();
}

/** Hands a buffer back once no write uses it any more. */
export function returnAlignedBuffer(buffer: Buffer): void {
  free.push(buffer);
}
