/** The two AWS wire formats Kinesis clients speak. */
export type WireFormat = "json" | "cbor";

export const jsonContentType = "application/x-amz-json-1.1";
export const cborContentType = "application/x-amz-cbor-1.1";

export function wireFormatOf(contentTypeHeader: string | undefined): WireFormat | undefined {
  const mediaType = (contentTypeHeader ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType === jsonContentType) return "json";
  if (mediaType === cborContentType) return "cbor";
  return undefined;
}

export function contentTypeOf(format: WireFormat): string {
  return format === "json" ? jsonContentType : cborContentType;
}
