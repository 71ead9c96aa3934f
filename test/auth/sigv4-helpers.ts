/**
 * Helpers for the SigV4 tests: a credentials file in a temporary directory, and requests signed
 * by the AWS SDK's own signer (@smithy/signature-v4) — an implementation independent of ours —
 * sent over raw HTTP/1.1 so tests can change them after signing and read the exact answer.
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { rawRequest, encodeCborRequest, type RawResponse } from "../helpers/raw.js";
import type { TestCredentials } from "../helpers/server.js";

export const allowAll = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

export interface CredentialsEntry extends TestCredentials {
  accountId: string;
  principalArn: string;
  policies: unknown[];
}

export function credentialsEntry(name: string, credentials: TestCredentials, accountId = "000000000000"): CredentialsEntry {
  // Only the key's own fields: the SDK marks credentials objects it has used (`$source`).
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  return { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && { sessionToken }), accountId, principalArn: `arn:aws:iam::${accountId}:user/${name}`, policies: [allowAll] };
}

/** A directory holding credentials.json; `write` replaces the file as editors do (write aside, rename over). */
export class CredentialsDir {
  readonly dir = mkdtempSync(join(tmpdir(), "tributary-credentials-"));
  readonly path = join(this.dir, "credentials.json");
  private writes = 0;
  write(content: unknown): void {
    const aside = join(this.dir, `.credentials.json.${++this.writes}`);
    writeFileSync(aside, typeof content === "string" ? content : JSON.stringify({ credentials: content }, null, 2));
    renameSync(aside, this.path);
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

export function sdkSigner(credentials: TestCredentials, region = "us-east-1", service = "kinesis"): SignatureV4 {
  return new SignatureV4({ service, region, credentials, sha256: NodeSha256, uriEscapePath: true, applyChecksum: false });
}

export type Format = "json" | "cbor";

export const contentTypes: Record<Format, string> = { json: "application/x-amz-json-1.1", cbor: "application/x-amz-cbor-1.1" };

export function encodeBody(format: Format, body: unknown): Buffer {
  return format === "json" ? Buffer.from(JSON.stringify(body)) : encodeCborRequest(body);
}

export interface SignedCallOptions {
  credentials: TestCredentials;
  signingDate: Date;
  format?: Format;
  region?: string;
  service?: string;
  /** Sign as a presigned URL (the signature in the query) valid this many seconds. */
  presignSeconds?: number;
  /** Headers the signer leaves unsigned (it signs every header it is given otherwise). */
  unsignableHeaders?: string[];
  /** Changes the signed request before it is sent: the tampering under test. */
  alter?: (request: { path: string; headers: Record<string, string>; body: Buffer }) => void;
}

/** Signs a Kinesis call with the SDK's signer, then sends it (altered, if asked) over HTTP/1.1. */
export async function signedCall(url: string, action: string, body: unknown, options: SignedCallOptions): Promise<RawResponse> {
  const format = options.format ?? "json";
  const target = new URL(url);
  const payload = encodeBody(format, body);
  const unsigned = {
    method: "POST",
    protocol: "http:",
    hostname: target.hostname,
    port: Number(target.port),
    path: "/",
    query: {} as Record<string, string>,
    headers: { host: target.host, "content-type": contentTypes[format], "x-amz-target": `Kinesis_20131202.${action}` } as Record<string, string>,
    body: payload,
  };
  const signer = sdkSigner(options.credentials, options.region, options.service);
  const signed =
    options.presignSeconds === undefined
      ? await signer.sign(unsigned, { signingDate: options.signingDate, ...(options.unsignableHeaders && { unsignableHeaders: new Set(options.unsignableHeaders) }) })
      : await signer.presign(unsigned, { signingDate: options.signingDate, expiresIn: options.presignSeconds, unhoistableHeaders: new Set(["x-amz-target"]) });
  const query = new URLSearchParams(signed.query as Record<string, string>).toString().replace(/\+/g, "%20");
  const request = { path: query === "" ? "/" : `/?${query}`, headers: { ...(signed.headers as Record<string, string>) }, body: payload };
  options.alter?.(request);
  return rawRequest(url, request.body, { path: request.path, headers: request.headers });
}
