/**
 * Walks the frames of one segment file between two positions, reading large chunks through the fs
 * port and verifying every frame (length, checksum, offset sequence, arrival order). Recovery,
 * index rebuilds and reads all go through here, so a record is served only after it is verified.
 */
import type { FileHandlePort } from "../fs-port.js";
import { readFully } from "../fs-port.js";
import { decodeFrame, frameHeaderBytes, FrameView, peekFrameBytes, frameBytesMax } from "./frame.js";
import type { SegmentIndex } from "./segment-index.js";

export interface ScanRequest {
  handle: FileHandlePort;
  /** File position of the first frame to visit. */
  from: number;
  /** Where valid bytes end (exclusive): the file size, or the committed end of the active segment. */
  end: number;
  /** The offset the frame at `from` must carry. */
  expectedOffset: number;
  /** The arrival time of the record before `from` (0 at a segment's start). */
  previousArrivalMs: number;
  chunkBytes: number;
  /** True when visitors keep views into the chunks (reads); false lets the scanner reuse one buffer. */
  keepChunks: boolean;
  /** Called for each verified frame; return false to stop before consuming it. */
  visit(frame: FrameView): boolean;
}

export type ScanStop =
  | "end"
  | "visitor"
  /** The bytes stop in the middle of a frame: a torn write. */
  | "incomplete"
  /** A frame that cannot be right: bad length, checksum, offset or time. */
  | "corrupt";

export interface ScanResult {
  stop: ScanStop;
  /** Position after the last consumed frame (the frame a visitor stopped at is not consumed). */
  position: number;
  /** The offset of the next frame: one past the last consumed. */
  nextOffset: number;
  lastArrivalMs: number;
  reason?: string;
}

export async function scanFrames(request: ScanRequest): Promise<ScanResult> {
  const { handle, end, chunkBytes } = request;
  const view = new FrameView();
  let chunk = Buffer.alloc(0);
  let chunkPosition = request.from;
  let chunkLength = 0;
  let position = request.from;
  let nextOffset = request.expectedOffset;
  let lastArrivalMs = request.previousArrivalMs;
  const result = (stop: ScanStop, reason?: string): ScanResult => {
    const out: ScanResult = { stop, position, nextOffset, lastArrivalMs };
    if (reason !== undefined) out.reason = reason;
    return out;
  };

  const refill = async (wantBytes: number): Promise<void> => {
    const length = Math.min(Math.max(wantBytes, chunkBytes), end - position);
    if (request.keepChunks || chunk.length < length) chunk = Buffer.allocUnsafe(request.keepChunks ? length : Math.max(length, chunkBytes));
    chunkPosition = position;
    chunkLength = await readFully(handle, chunk, length, position);
  };

  while (position < end) {
    let start = position - chunkPosition;
    if (chunkLength - start < frameHeaderBytes) {
      await refill(frameHeaderBytes);
      start = 0;
    }
    const frameBytes = peekFrameBytes(chunk, start, chunkLength);
    if (frameBytes >= frameHeaderBytes && frameBytes <= frameBytesMax && chunkLength - start < frameBytes && position + frameBytes <= end) {
      await refill(frameBytes);
      start = 0;
    }
    const status = decodeFrame(chunk, start, chunkLength, view);
    if (status === "incomplete") return result("incomplete", `frame at ${position} is cut short`);
    if (status === "corrupt") return result("corrupt", `frame at ${position} fails its checks`);
    if (view.offset !== nextOffset) return result("corrupt", `frame at ${position} has offset ${view.offset}, expected ${nextOffset}`);
    if (view.arrivalMs < lastArrivalMs) return result("corrupt", `frame at ${position} arrived before its predecessor`);
    view.position = position;
    if (!request.visit(view)) return result("visitor");
    position += view.frameBytes;
    nextOffset++;
    lastArrivalMs = view.arrivalMs;
  }
  return result("end");
}

/**
 * A visitor that adds index entries the way appends do: the first frame of a segment, then the
 * first frame at least `intervalBytes` after the last entry.
 */
export function indexingVisitor(index: SegmentIndex, intervalBytes: number): (frame: FrameView) => boolean {
  let lastIndexed = index.count > 0 ? index.positionAt(index.count - 1) : -1;
  return (frame) => {
    if (lastIndexed < 0 || frame.position - lastIndexed >= intervalBytes) {
      index.push(frame.offset, frame.position, frame.arrivalMs);
      lastIndexed = frame.position;
    }
    return true;
  };
}
