/**
 * The Range header of GetObject and HeadObject: one byte range (`bytes=a-b`, `bytes=a-`,
 * `bytes=-n`); S3 serves no multi-range answers. A header that is not one well-formed byte range
 * is ignored (the whole object, 200), as RFC 7233 section 3.1 asks and S3 does; a well-formed range
 * that starts past the end, or a suffix of 0 bytes, is unsatisfiable (416 InvalidRange).
 */
export type RangeOutcome = { kind: "whole" } | { kind: "range"; startByte: number; endByteExclusive: number } | { kind: "unsatisfiable" };

export function parseRange(header: string | undefined, sizeBytes: number): RangeOutcome {
  if (header === undefined) return { kind: "whole" };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (match === null) return { kind: "whole" };
  const [, firstText = "", lastText = ""] = match;
  if (firstText === "" && lastText === "") return { kind: "whole" };
  if (firstText === "") {
    const suffixBytes = Number(lastText);
    if (suffixBytes === 0) return { kind: "unsatisfiable" };
    // A suffix of an empty object selects nothing: S3 answers the (empty) whole object.
    if (sizeBytes === 0) return { kind: "whole" };
    return { kind: "range", startByte: Math.max(0, sizeBytes - suffixBytes), endByteExclusive: sizeBytes };
  }
  const first = Number(firstText);
  const last = lastText === "" ? Infinity : Number(lastText);
  if (last < first) return { kind: "whole" };
  if (first >= sizeBytes) return { kind: "unsatisfiable" };
  return { kind: "range", startByte: first, endByteExclusive: Math.min(last + 1, sizeBytes) };
}
