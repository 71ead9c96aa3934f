/**
 * For the S3 service tests (test/s3/service-*.test.ts): a server with the S3 service (options of
 * its own when given), an @aws-sdk/client-s3 with its default configuration (checksums on) in path
 * style, and raw HTTP for the exact bytes of an answer.
 */
import { request } from "node:http";
import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { startTestServer, exampleCredentials, type TestServer, type TestServerOptions } from "../helpers/server.js";
import { services } from "../../src/server/services.js";
import type { AppServiceModule } from "../../src/server/services.js";
import { createS3Service, s3ServiceModule, type S3Options } from "../../src/s3/index.js";

/** The server's services with S3 (once src/server/services.ts lists it, that one, with `s3` options when given). */
export function withS3(s3?: S3Options): AppServiceModule[] {
  const module: AppServiceModule =
    s3 === undefined ? s3ServiceModule : { ...s3ServiceModule, create: (deps) => createS3Service({ ...deps, config: { ...deps.config, s3 } }) };
  return [...services.filter((candidate) => candidate.name !== "s3"), module];
}

export function startS3Server(options: TestServerOptions & { s3?: S3Options } = {}): Promise<TestServer> {
  const { s3, ...rest } = options;
  return startTestServer({ ...rest, services: withS3(s3) });
}

/** The SDK as a user configures it for a local endpoint: the endpoint, path style, nothing else. */
export function s3Client(server: TestServer, config: Record<string, unknown> = {}): S3Client {
  return new S3Client({ endpoint: server.url, region: server.region, credentials: exampleCredentials, forcePathStyle: true, ...config });
}

export interface RawS3Response {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/** One HTTP/1.1 request exactly as given (path as written, headers as given, no signing). */
export function rawS3(server: TestServer, method: string, path: string, options: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<RawS3Response> {
  const target = new URL(server.url);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined && headers["content-length"] === undefined && headers["transfer-encoding"] === undefined) headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        resolve({ statusCode: res.statusCode!, headers: res.headers, body: raw, text: raw.toString("utf8") });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

let counter = 0;
/** A bucket name unique to this process run, valid under S3's rules. */
export function bucketName(prefix = "bucket"): string {
  counter++;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** The text of one element of an XML document (the first). */
export function elementText(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match?.[1];
}

/** The S3 error a call failed with (a call that succeeds fails the test). */
export async function rejection(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof S3ServiceException, `not an S3 error: ${String(error)}`);
    return error;
  }
  assert.fail("the call succeeded");
}
