/** The two AWS wire formats Kinesis clients speak. */
export type WireFormat = "json" | "cbor";

export const jsonContentType = "application/x-amz-json-1.1";
export const cborContentType = "application/x-amz-cbor-1.1";
/** awsJson1_0, DynamoDB's protocol: the same JSON, under another media type. */
export const json10ContentType = "application/x-amz-json-1.0";

/** The media types a service accepts for each format; it answers in the one the request used. */
export interface WireDialect {
  json: string;
  /** Absent: the service speaks no CBOR. */
  cbor?: string;
}

export const kinesisDialect: WireDialect = { json: jsonContentType, cbor: cborContentType };
export const dynamoDbDialect: WireDialect = { json: json10ContentType };

export function wireFormatOf(contentTypeHeader: string | undefined, dialect: WireDialect = kinesisDialect): WireFormat | undefined {
  const mediaType = (contentTypeHeader ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType === dialect.json) return "json";
  if (dialect.cbor !== undefined && mediaType === dialect.cbor) return "cbor";
  return undefined;
}

export function contentTypeOf(format: WireFormat, dialect: WireDialect = kinesisDialect): string {
  return format === "json" ? dialect.json : (dialect.cbor ?? cborContentType);
}
