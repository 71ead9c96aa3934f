/**
 * Raw awsJson1_1 / awsCbor1_1 calls over HTTP/1.1, for asserting exact status, __type and message.
 */
import { request } from "node:http";
import { encode, decode, Token, Type } from "cborg";

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /** The decoded body: parsed JSON or CBOR (tag 1 decoded to { tag1: value }), or the text. */
  body: any;
  raw: Buffer;
}

export interface RawOptions {
  target?: string;
  contentType?: string;
  headers?: Record<string, string>;
  method?: string;
  path?: string;
}

export function rawRequest(url: string, body: Buffer | string, options: RawOptions = {}): Promise<RawResponse> {
  const target = new URL(url);
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  const headers: Record<string, string> = { ...options.headers };
  if (options.contentType !== undefined) headers["content-type"] = options.contentType;
  if (options.target !== undefined) headers["x-amz-target"] = options.target;
  headers["content-length"] = String(payload.length);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, method: options.method ?? "POST", path: options.path ?? "/", headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const raw = Buffer.concat(chunks);
          const type = String(res.headers["content-type"] ?? "");
          let parsed: unknown = raw.toString("utf8");
          if (raw.length > 0 && type.includes("json")) parsed = JSON.parse(raw.toString("utf8"));
          if (raw.length > 0 && type.includes("cbor")) parsed = decodeCborResponse(raw);
          if (raw.length === 0) parsed = undefined;
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: parsed, raw });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const tags: ((inner: () => unknown) => unknown)[] = [];
tags[1] = (inner) => ({ tag1: inner() });

export function decodeCborResponse(raw: Buffer): unknown {
  return decode(raw, { tags, useMaps: false });
}

/** Encodes a CBOR request as the AWS SDK for Java does; `Date` values become tag 1 over epoch ms. */
export function encodeCborRequest(value: unknown): Buffer {
  return Buffer.from(
    encode(value, { typeEncoders: { Date: (date: Date) => [new Token(Type.tag, 1), new Token(Type.uint, date.getTime())] } }),
  );
}

/** Calls a Kinesis action in JSON. */
export function jsonCall(url: string, action: string, body: unknown): Promise<RawResponse> {
  return rawRequest(url, JSON.stringify(body), { target: `Kinesis_20131202.${action}`, contentType: "application/x-amz-json-1.1" });
}

/** Calls a Kinesis action in CBOR. */
export function cborCall(url: string, action: string, body: unknown): Promise<RawResponse> {
  return rawRequest(url, encodeCborRequest(body), { target: `Kinesis_20131202.${action}`, contentType: "application/x-amz-cbor-1.1" });
}
