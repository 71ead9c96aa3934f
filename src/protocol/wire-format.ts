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
  /**
   * A media type the service still recognises from its old Coral protocol and answers in that
   * protocol's envelope (`{"Output": {"__type": …}, "Version": "1.0"}`) without running anything.
   */
  legacyJson?: string;
  /** Other media types the service reads as its JSON and answers in, as sent (DynamoDB: `application/json`). */
  jsonAlternatives?: readonly string[];
}

/** Kinesis's old protocol: kinesalite's connection tests record AWS answering `application/json` in the Coral envelope. */
export const legacyJsonContentType = "application/json";

export const kinesisDialect: WireDialect = { json: jsonContentType, cbor: cborContentType, legacyJson: legacyJsonContentType };
/** dynalite's connection tests record DynamoDB taking `application/json` as its JSON and answering in it. */
export const dynamoDbDialect: WireDialect = { json: json10ContentType, jsonAlternatives: ["application/json"] };

/**
 * The dialect to answer a request in: the service's own, or, for a request in one of its
 * alternative JSON media types, the same with that type as its JSON.
 */
export function answeringDialect(contentTypeHeader: string | undefined, dialect: WireDialect): WireDialect {
  if (dialect.jsonAlternatives === undefined) return dialect;
  const mediaType = mediaTypeOf(contentTypeHeader);
  return dialect.jsonAlternatives.includes(mediaType) ? { json: mediaType } : dialect;
}

/** The media type of a Content-Type header: parameters and the spaces around it dropped, lowercased. */
function mediaTypeOf(contentTypeHeader: string | undefined): string {
  return (contentTypeHeader ?? "").split(";")[0]!.trim().toLowerCase();
}

export function wireFormatOf(contentTypeHeader: string | undefined, dialect: WireDialect = kinesisDialect): WireFormat | undefined {
  const mediaType = mediaTypeOf(contentTypeHeader);
  if (mediaType === dialect.json) return "json";
  if (dialect.cbor !== undefined && mediaType === dialect.cbor) return "cbor";
  return undefined;
}

/** Whether the request speaks the service's old Coral JSON protocol (`   application/json  ;` included). */
export function isLegacyJson(contentTypeHeader: string | undefined, dialect: WireDialect = kinesisDialect): boolean {
  return dialect.legacyJson !== undefined && mediaTypeOf(contentTypeHeader) === dialect.legacyJson;
}

export function contentTypeOf(format: WireFormat, dialect: WireDialect = kinesisDialect): string {
  return format === "json" ? dialect.json : (dialect.cbor ?? cborContentType);
}
