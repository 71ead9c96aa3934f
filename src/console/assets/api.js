// The AWS APIs the console calls, on the same origin as the page. JSON protocols carry the action
// in X-Amz-Target; Lambda is REST. Under `--auth sigv4` every request is signed with aws4fetch
// using the access key the user signed in with (kept in sessionStorage only: gone with the tab).
import { AwsClient } from "./vendor/aws4fetch.js";

/** Each JSON service: its X-Amz-Target prefix, JSON version and SigV4 signing name. */
const services = {
  kinesis: { target: "Kinesis_20131202", json: "1.1", signingName: "kinesis" },
  firehose: { target: "Firehose_20150804", json: "1.1", signingName: "firehose" },
  analytics: { target: "KinesisAnalytics_20150814", json: "1.1", signingName: "kinesisanalytics" },
  dynamodb: { target: "DynamoDB_20120810", json: "1.0", signingName: "dynamodb" },
  cloudwatch: { target: "GraniteServiceVersion20100801", json: "1.0", signingName: "monitoring" },
};

const credentialsKey = "tributary.console.credentials";

/** The server's settings.json: { region, accountId, signed }. */
export let settings = { region: "us-east-1", accountId: "000000000000", signed: false };
let client;

export async function loadSettings() {
  const response = await fetch("/_tributary/console/settings.json", { cache: "no-store" });
  settings = await response.json();
  const saved = savedCredentials();
  if (saved) useCredentials(saved);
  return settings;
}

function savedCredentials() {
  try {
    const text = sessionStorage.getItem(credentialsKey);
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function useCredentials(credentials) {
  client = new AwsClient({
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    region: settings.region,
    // aws4fetch would guess from the host name, which is ours, not an AWS one; and it retries
    // 5xx answers by default, which would hide errors the console should show.
    retries: 0,
  });
}

/** Whether requests can be made now: always under --auth none, after sign-in under sigv4. */
export function signedIn() {
  return !settings.signed || client !== undefined;
}

export function accessKeyId() {
  return savedCredentials()?.accessKeyId;
}

/** Checks the key with one cheap call before keeping it. */
export async function signIn(credentials) {
  useCredentials(credentials);
  try {
    await call("kinesis", "ListStreams", { Limit: 1 });
  } catch (error) {
    client = undefined;
    throw error;
  }
  sessionStorage.setItem(credentialsKey, JSON.stringify(credentials));
}

export function signOut() {
  sessionStorage.removeItem(credentialsKey);
  client = undefined;
}

/** An AWS error answer: `type` is the wire __type (without its namespace), `message` AWS's text. */
export class ApiError extends Error {
  constructor(type, message, status) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

async function send(url, init, signingName) {
  // allHeaders: aws4fetch leaves Content-Type out of the signature by default, and the JSON
  // protocols (AWS's and ours) refuse a signature that does not cover it.
  const response = client
    ? await client.fetch(url, { ...init, aws: { service: signingName, region: settings.region, allHeaders: true } })
    : await fetch(url, init);
  return response;
}

async function errorOf(response) {
  const text = await response.text();
  let body = {};
  try { body = JSON.parse(text); } catch { /* not JSON: an XML or plain answer */ }
  const rawType = body.__type ?? response.headers.get("x-amzn-errortype") ?? `HTTP ${response.status}`;
  const type = String(rawType).split("#").pop().split(":")[0];
  const message = body.message ?? body.Message ?? (text.match(/<Message>([^<]*)<\/Message>/)?.[1]) ?? text.slice(0, 200);
  if (response.status === 403 && settings.signed && /signature|security token|credential/i.test(message ?? "")) {
    window.dispatchEvent(new CustomEvent("tributary:unauthorized"));
  }
  return new ApiError(type, message, response.status);
}

/**
 * One JSON-protocol call.
 * @example await call("kinesis", "DescribeStreamSummary", { StreamName: "orders" })
 */
export async function call(service, action, input = {}) {
  const spec = services[service];
  const response = await send(location.origin + "/", {
    method: "POST",
    headers: { "content-type": `application/x-amz-json-${spec.json}`, "x-amz-target": `${spec.target}.${action}` },
    body: JSON.stringify(input),
  }, spec.signingName);
  if (!response.ok) throw await errorOf(response);
  const text = await response.text();
  return text === "" ? {} : JSON.parse(text);
}

/**
 * One Lambda REST call (restJson1).
 * @example await lambda("GET", "/2015-03-31/functions/")
 */
export async function lambda(method, path, body, headers = {}) {
  const response = await send(location.origin + path, {
    method,
    headers: { ...(body !== undefined && { "content-type": "application/json" }), ...headers },
    ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
  }, "lambda");
  if (!response.ok) throw await errorOf(response);
  return response;
}

/** A server admin route (GET /_tributary/…), served only under --auth none. */
export async function admin(path) {
  const response = await fetch(location.origin + path);
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

/** Every page of a paginated call, up to `pagesMax` pages. */
export async function all(service, action, input, listKey, pagesMax = 20) {
  const items = [];
  let token;
  for (let page = 0; page < pagesMax; page++) {
    const answer = await call(service, action, { ...input, ...(token && { NextToken: token }) });
    items.push(...(answer[listKey] ?? []));
    token = answer.NextToken;
    if (!token) break;
  }
  return items;
}

/** Base64 (as the JSON APIs carry blobs) to bytes, and back. */
export function bytesOf(base64) {
  const text = atob(base64 ?? "");
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

export function base64Of(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
