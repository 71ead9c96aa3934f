/**
 * One HTTP(S) request to a destination endpoint (OpenSearch `_bulk`, an HTTP endpoint, Splunk HEC),
 * with the answer's body read up to `responseBytesMax` and a socket deadline. The deadline is wall
 * time against the peer (Firehose gives HTTP endpoints 3 minutes to answer), so it is the socket's
 * own timeout, not the injected clock. Network failures come back as values, never thrown.
 */
import { request as httpRequest, type IncomingHttpHeaders, Agent as HttpAgent } from "node:http";
import { request as httpsRequest, Agent as HttpsAgent } from "node:https";
import { rootCertificates } from "node:tls";

/** Answers longer than this are cut (Firehose reads at most 1 MiB of an endpoint's answer). */
export const responseBytesMax = 1024 * 1024;
/** Firehose's deadline for an HTTP endpoint's answer. */
export const requestTimeoutMs = 180_000;

export type HttpAnswer =
  | { ok: true; statusCode: number; headers: IncomingHttpHeaders; body: Buffer; truncated: boolean }
  | { ok: false; errorCode: "ConnectionFailed" | "RequestTimeout"; errorMessage: string };

export interface HttpAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
  destroy(): void;
}

export function createAgents(tls?: { readonly ca?: string | readonly string[] }): HttpAgents {
  const http = new HttpAgent({ keepAlive: true, maxSockets: 16 });
  // Node's `ca` replaces its own list: the extra certificates are added to it, so public endpoints stay trusted.
  const ca = tls?.ca === undefined ? undefined : [...rootCertificates, ...(typeof tls.ca === "string" ? [tls.ca] : tls.ca)];
  const https = new HttpsAgent({ keepAlive: true, maxSockets: 16, ...(ca !== undefined ? { ca } : {}) });
  return {
    http,
    https,
    destroy() {
      http.destroy();
      https.destroy();
    },
  };
}

export function httpPost(
  agents: HttpAgents,
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs = requestTimeoutMs,
): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const secure = url.protocol === "https:";
    const send = secure ? httpsRequest : httpRequest;
    const request = send(
      url,
      { method: "POST", headers: { ...headers, "Content-Length": String(body.length) }, agent: secure ? agents.https : agents.http, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        response.on("data", (chunk: Buffer) => {
          if (size >= responseBytesMax) {
            truncated = true;
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        response.on("end", () =>
          resolve({ ok: true, statusCode: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).subarray(0, responseBytesMax), truncated }),
        );
        response.on("error", (error) => resolve({ ok: false, errorCode: "ConnectionFailed", errorMessage: error.message }));
      },
    );
    request.on("timeout", () => {
      request.destroy();
      resolve({ ok: false, errorCode: "RequestTimeout", errorMessage: `The endpoint did not answer within ${timeoutMs / 1000} seconds.` });
    });
    request.on("error", (error) => resolve({ ok: false, errorCode: "ConnectionFailed", errorMessage: error.message }));
    request.end(body);
  });
}
