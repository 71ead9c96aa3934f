/**
 * A CBOR scanner (RFC 8949) that checks a request body without building it: one pass over the
 * data items' heads with an explicit stack (strings are stepped over by their length, never
 * read), stopping at the first error, the first value past `valuesMax` or the first container
 * past `depthMax`. It accepts what cbor-codec.ts's decoder (cborg, with our options) accepts,
 * with a map at the top:
 *
 *   item   = head [payload]; head = major type (3 bits) + additional information (5 bits)
 *            [+ 1/2/4/8-byte argument]; additional information 28–30 is malformed
 *   major 0/1  integers               major 2/3  byte/text strings of a definite length
 *   major 4/5  arrays / maps of N items / N pairs, or indefinite (0x9f / 0xbf … 0xff)
 *   major 6    tag 1 (epoch milliseconds) over one item; other tags are refused
 *   major 7    false, true, null, half/single/double floats; undefined, other simple values
 *              and a stray break are refused
 *   map keys are text strings; one item fills the whole body
 */
import { pathKeyBytesMax, scanMalformed, scanOk, scanTooManyValues, type BodyLimits, type BodyPathStep, type BodyScan } from "./body-scan.js";

interface Frame {
  kind: "map" | "list" | "tag";
  /** Items still to come; Infinity until an indefinite container's break. */
  remaining: number;
  /** In a map: whether the next item is a key. */
  keyNext: boolean;
  keyStart: number;
  keyEnd: number;
}

const breakByte = 0xff;

export function scanCbor(body: Buffer, limits: BodyLimits): BodyScan {
  const length = body.length;
  // The top must be a map (definite 0xa0–0xbb, or indefinite 0xbf).
  if (length === 0 || body[0]! >> 5 !== 5) return scanMalformed;
  const stack: Frame[] = [];
  let values = 0;
  let i = 0;
  for (;;) {
    if (i >= length) return scanMalformed;
    const initial = body[i]!;
    const top = stack[stack.length - 1];
    if (initial === breakByte) {
      // Ends an indefinite array, or an indefinite map between pairs.
      if (!top || top.remaining !== Infinity || top.kind === "tag" || (top.kind === "map" && !top.keyNext)) return scanMalformed;
      stack.pop();
      i++;
    } else {
      if (++values > limits.valuesMax) return scanTooManyValues;
      const major = initial >> 5;
      const info = initial & 0x1f;
      const isKey = top !== undefined && top.kind === "map" && top.keyNext;
      if (isKey && (major !== 3 || info === 31)) return scanMalformed; // keys are text strings
      let argument: number;
      let headBytes: number;
      if (info < 24) {
        argument = info;
        headBytes = 1;
      } else if (info <= 27) {
        headBytes = 1 + (1 << (info - 24));
        if (i + headBytes > length) return scanMalformed;
        argument = readArgument(body, i + 1, headBytes - 1);
      } else if (info === 31 && (major === 4 || major === 5)) {
        argument = Infinity;
        headBytes = 1;
      } else {
        return scanMalformed;
      }
      const payloadStart = i + headBytes;
      switch (major) {
        case 0:
        case 1:
          i = payloadStart;
          break;
        case 2:
        case 3:
          if (argument > length - payloadStart) return scanMalformed;
          if (isKey) {
            top.keyStart = payloadStart;
            top.keyEnd = payloadStart + argument;
          }
          i = payloadStart + argument;
          break;
        case 4:
        case 5:
        case 6: {
          const kind = major === 4 ? "list" : major === 5 ? "map" : "tag";
          if (kind === "tag" && argument !== 1) return scanMalformed; // cborg is given tag 1 alone
          const items = kind === "map" ? argument * 2 : kind === "tag" ? 1 : argument;
          // Each item takes a byte at least: a count past the bytes left is a lie.
          if (items !== Infinity && items > length - payloadStart) return scanMalformed;
          if (stack.length >= limits.depthMax) return tooDeep(body, stack, kind);
          i = payloadStart;
          if (items > 0) {
            stack.push({ kind, remaining: items, keyNext: kind === "map", keyStart: -1, keyEnd: -1 });
            continue;
          }
          break;
        }
        default: // 7
          if (info === 20 || info === 21 || info === 22 || info === 25 || info === 26 || info === 27) {
            i = payloadStart;
            break;
          }
          return scanMalformed; // undefined, simple values
      }
    }
    // An item is complete: count it against its container, closing every container it fills.
    for (;;) {
      const frame = stack[stack.length - 1];
      if (!frame) return i === length ? scanOk : scanMalformed;
      if (frame.kind === "map") frame.keyNext = !frame.keyNext;
      if (frame.remaining === Infinity) break;
      if (--frame.remaining > 0) break;
      stack.pop();
    }
  }
}

/** A big-endian unsigned argument of 1, 2, 4 or 8 bytes (8-byte ones past 2^53 lose precision, but only compare as huge). */
function readArgument(body: Buffer, at: number, bytes: number): number {
  if (bytes === 1) return body[at]!;
  if (bytes === 2) return body.readUInt16BE(at);
  if (bytes === 4) return body.readUInt32BE(at);
  return body.readUInt32BE(at) * 2 ** 32 + body.readUInt32BE(at + 4);
}

function tooDeep(body: Buffer, stack: readonly Frame[], opened: "map" | "list" | "tag"): BodyScan {
  const path: BodyPathStep[] = stack.map((frame) => {
    if (frame.kind !== "map") return { container: frame.kind };
    if (frame.keyStart < 0 || frame.keyEnd - frame.keyStart > pathKeyBytesMax) return { container: "map" };
    return { container: "map", key: body.toString("utf8", frame.keyStart, frame.keyEnd) };
  });
  return { ok: false, reason: "tooDeep", deep: { path, opened } };
}
