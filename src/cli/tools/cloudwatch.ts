/**
 * CloudWatch's GetMetricData, for `stats`: the one call it needs, in the JSON 1.0 protocol
 * (`X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`, `Content-Type:
 * application/x-amz-json-1.0`), signed with SigV4 for the service `monitoring` (aws4fetch: the
 * package ships no CloudWatch SDK client). Against Tributary the endpoint is the Kinesis one (one
 * port serves every service); against AWS, `kinesis.<region>.amazonaws.com` becomes
 * `monitoring.<region>.amazonaws.com`; AWS_ENDPOINT_URL_CLOUDWATCH overrides both, as in the SDKs.
 *
 * Any failure — a server without CloudWatch (UnknownOperationException), no route, a refused
 * signature — is an answer, not an exception: `stats` falls back to what it can read from the shards.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { AwsV4Signer } from "aws4fetch";
import type { KinesisClient } from "@aws-sdk/client-kinesis";

export const cloudWatchTarget = "GraniteServiceVersion20100801.GetMetricData";
/** GetMetricData's own limit of queries a call. */
export const queriesPerCallMax = 500;
/** An answer that takes longer is no answer: `stats` must not hang on a silent endpoint. */
const requestTimeoutMs = 10_000;
const responseBytesMax = 16 * 1024 * 1024;

export interface MetricQuery {
  Id: string;
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Stat: "Sum" | "Maximum" | "Average";
}

/** One query's datapoints: each period's start (epoch ms) and value. */
export interface Datapoint {
  timestampMs: number;
  value: number;
}

export type MetricValues = { ok: true; values: Map<string, Datapoint[]> } | { ok: false; reason: string };

export function cloudWatchEndpointOf(kinesisEndpoint: string, env: NodeJS.ProcessEnv): string {
  const override = env.AWS_ENDPOINT_URL_CLOUDWATCH;
  if (override !== undefined && override !== "") return override.replace(/\/$/, "");
  return kinesisEndpoint.replace(/^(https?:\/\/)kinesis\.([a-z0-9-]+)\.amazonaws\.com/, "$1monitoring.$2.amazonaws.com");
}

/** The values of each query (by Id) over [startMs, endMs) at `periodSeconds`, from namespace AWS/Kinesis. */
export async function getMetricData(
  kinesis: KinesisClient,
  endpoint: string,
  queries: readonly MetricQuery[],
  window: { startMs: number; endMs: number; periodSeconds: number; nowMs: number },
): Promise<MetricValues> {
  const values = new Map<string, Datapoint[]>();
  for (let first = 0; first < queries.length; first += queriesPerCallMax) {
    const chunk = queries.slice(first, first + queriesPerCallMax);
    const body = JSON.stringify({
      MetricDataQueries: chunk.map((query) => ({
        Id: query.Id,
        MetricStat: { Metric: { Namespace: "AWS/Kinesis", MetricName: query.MetricName, Dimensions: query.Dimensions }, Period: window.periodSeconds, Stat: query.Stat },
        ReturnData: true,
      })),
      StartTime: Math.floor(window.startMs / 1000),
      EndTime: Math.ceil(window.endMs / 1000),
    });
    let answer: { status: number; text: string };
    try {
      answer = await post(kinesis, endpoint, body, window.nowMs);
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      return { ok: false, reason: code ?? message };
    }
    let parsed: { MetricDataResults?: { Id?: string; Timestamps?: number[]; Values?: number[] }[]; __type?: string } | undefined;
    try {
      parsed = JSON.parse(answer.text) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (answer.status !== 200 || !Array.isArray(parsed?.MetricDataResults)) {
      // A JSON error's __type, or the bare `<UnknownOperationException/>` a server answers a target it does not serve.
      const type = parsed?.__type?.replace(/^.*#/, "") ?? /^<(\w+)\/>/.exec(answer.text.trim())?.[1];
      return { ok: false, reason: type === undefined ? `HTTP ${answer.status}` : `${type}, HTTP ${answer.status}` };
    }
    for (const result of parsed.MetricDataResults) {
      if (result.Id === undefined) continue;
      // JSON 1.0 writes timestamps as epoch seconds.
      const timestamps = result.Timestamps ?? [];
      values.set(result.Id, (result.Values ?? []).flatMap((value, index) => (timestamps[index] === undefined ? [] : [{ timestampMs: timestamps[index]! * 1000, value }])));
    }
  }
  return { ok: true, values };
}

async function post(kinesis: KinesisClient, endpoint: string, body: string, nowMs: number): Promise<{ status: number; text: string }> {
  const credentials = await kinesis.config.credentials();
  const region = await kinesis.config.region();
  const signer = new AwsV4Signer({
    method: "POST",
    url: `${endpoint}/`,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": cloudWatchTarget },
    body,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken !== undefined && { sessionToken: credentials.sessionToken }),
    service: "monitoring",
    region,
    // The injected clock's time, as SigV4 writes it (20260102T030405Z).
    datetime: new Date(nowMs).toISOString().replace(/[:-]|\.\d{3}/g, ""),
  });
  const signed = await signer.sign();
  const headers: Record<string, string> = {};
  signed.headers.forEach((value, name) => (headers[name] = value));
  // node:http rather than fetch, whose "bad ports" list (6000, 6665…) would refuse some servers.
  return new Promise((resolve, reject) => {
    const send = signed.url.protocol === "https:" ? httpsRequest : httpRequest;
    const outgoing = send(signed.url, { method: "POST", headers, timeout: requestTimeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > responseBytesMax) outgoing.destroy(new Error(`GetMetricData answered more than ${responseBytesMax} bytes`));
        else chunks.push(chunk);
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    outgoing.on("timeout", () => outgoing.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}
