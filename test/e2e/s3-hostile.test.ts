/**
 * Hostile input to Tributary's S3: keys that look like paths out of the data directory, a key
 * one byte over S3's 1,024, malformed XML, bodies shorter and longer than their Content-Length, a
 * single PUT declaring more than 5 GiB, wrong aws-chunked chunk signatures and a wrong
 * x-amz-content-sha256 under `--auth sigv4`. Each gets S3's answer (AWS's error code and status,
 * API Reference "Error responses"), nothing is stored that should not be, nothing outside the data
 * directory is touched, and the server answers /health afterwards.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { exampleS3Credentials, expectS3Error, md5Hex, sha256Hex } from "../helpers/s3-scenario.js";
import { CredentialsDir, credentialsEntry, sdkSigner } from "../auth/sigv4-helpers.js";

const bucket = `hostile-${process.pid}`;
const signer = { accessKeyId: "AKIAS3HOSTILE0000001", secretAccessKey: "s3/hostile/secret/EXAMPLEKEY" };

let parentDir: string;
let dataDir: string;
let server: TestServer;
let client: S3Client;
let filesBefore: string[];

let credentials: CredentialsDir;
let signed: TestServer;
let signedClient: S3Client;

/** Every path under `root`, except what is inside the data directory, sorted. */
function listOutsideData(root: string): string[] {
  const out: string[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      out.push(relative(root, path) + (entry.isDirectory() ? "/" : ""));
      if (entry.isDirectory() && path !== dataDir) walk(path);
    }
  };
  walk(root);
  return out.sort();
}

function allPathsUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" }).map((path) => path.toString());
}

async function assertHealthy(target: TestServer = server): Promise<void> {
  const response = await fetch(`${target.url}/health`);
  assert.equal(response.status, 200, `GET /health after the hostile request: ${response.status}`);
  await response.arrayBuffer();
}

interface RawAnswer {
  /** Everything the server sent before it closed the connection (or the wait ended). */
  text: string;
  status: number | undefined;
  closed: boolean;
}

/**
 * Writes `data` on a fresh connection, then (when `end`) half-closes it, and collects what comes
 * back until the server closes or `waitMs` passes.
 */
function rawExchange(target: TestServer, data: Buffer, { end = true, waitMs = 5_000 } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(target.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ text, status: match ? Number(match[1]) : undefined, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on("connect", () => {
      socket.write(data);
      if (end) socket.end();
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("close", () => finish(true));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? finish(true) : reject(error)));
  });
}

function httpHead(method: string, path: string, target: TestServer, headers: Record<string, string>): Buffer {
  const { host } = new URL(target.url);
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), "", ""];
  return Buffer.from(lines.join("\r\n"), "latin1");
}

async function rawXml(method: string, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}${path}`, { method, body: new Uint8Array(body), headers: { "content-md5": createHash("md5").update(body).digest("base64"), ...headers } });
  return { status: response.status, text: await response.text() };
}

function xmlCode(text: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
}

async function objectExists(target: S3Client, key: string, inBucket = bucket): Promise<boolean> {
  try {
    await target.send(new HeadObjectCommand({ Bucket: inBucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

describe("e2e > s3 > hostile > the test's own signer", () => {
  it("e2e > s3 > hostile > the hand-made chunk signer reproduces AWS's worked example (sigv4-streaming.html, Example: PUT Object)", () => {
    const key = signingKeyOf("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1");
    let previous = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    const signatures = [Buffer.alloc(65_536, "a"), Buffer.alloc(1024, "a"), Buffer.alloc(0)].map((chunk) => (previous = chunkSignature(key, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", previous, chunk)));
    assert.deepEqual(signatures, [
      "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
      "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
      "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ]);
  });
});

describe("e2e > s3 > hostile input", () => {
  before(async () => {
    parentDir = mkdtempSync(join(tmpdir(), "tributary-s3-hostile-"));
    dataDir = join(parentDir, "data");
    mkdirSync(dataDir);
    // Siblings of the data directory that a traversal would reach first.
    mkdirSync(join(parentDir, "etc"));
    server = await startTestServer({ dataDir });
    client = new S3Client({ endpoint: server.url, region: server.region, credentials: exampleS3Credentials, forcePathStyle: true, maxAttempts: 1 });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    filesBefore = listOutsideData(parentDir);

    credentials = new CredentialsDir();
    credentials.write([credentialsEntry("hostile", signer)]);
    signed = await startTestServer({ credentialsFile: credentials.path });
    signedClient = new S3Client({ endpoint: signed.url, region: signed.region, credentials: signer, forcePathStyle: true, maxAttempts: 1 });
    await signedClient.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  after(async () => {
    client?.destroy();
    signedClient?.destroy();
    await server?.stop();
    await signed?.stop();
    credentials?.remove();
    if (parentDir) rmSync(parentDir, { recursive: true, force: true });
  });

  it("e2e > s3 > hostile > traversal, encoded, NUL-looking and long unicode keys are stored and read back exactly, inside the data directory", async () => {
    const keys = [
      "../../etc/passwd",
      "../../../../../../../../etc/passwd",
      "..%2F..%2Fetc%2Fpasswd",
      "%2e%2e/%2e%2e/etc/passwd",
      "..\\..\\etc\\passwd",
      "nul-%00-literal",
      "a/./b/../c",
      "/leading-slash",
      "trailing-dot.",
      "Case",
      "case",
      "CASE",
      "é".repeat(512), // 1,024 bytes of UTF-8: S3's limit, exactly
      "日本語/ключ/🔑/" + "ü".repeat(200),
    ];
    for (const [index, key] of keys.entries()) {
      const body = Buffer.from(`object ${index}: ${key}`);
      const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      assert.equal(put.ETag, `"${md5Hex(body)}"`, `PutObject of ${JSON.stringify(key)}`);
    }
    for (const [index, key] of keys.entries()) {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      assert.equal(await got.Body!.transformToString(), `object ${index}: ${key}`, `GetObject of ${JSON.stringify(key)}`);
    }
    const listed: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      listed.push(...(page.Contents ?? []).map((object) => object.Key!));
      token = page.NextContinuationToken;
    } while (token !== undefined);
    // S3 lists keys in the order of their UTF-8 bytes.
    assert.deepEqual(listed, [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));

    assert.deepEqual(listOutsideData(parentDir), filesBefore, "nothing appeared or vanished beside the data directory");
    assert.deepEqual(readdirSync(join(parentDir, "etc")), []);
    const underData = allPathsUnder(dataDir);
    assert.deepEqual(underData.filter((path) => /passwd|\.\.|ключ|🔑/.test(path)), [], "keys never become paths in the data directory");
    await assertHealthy();
  });

  it("e2e > s3 > hostile > a NUL byte in the key (raw %00): either stored exactly or refused, never anything else", async () => {
    const response = await fetch(`${server.url}/${bucket}/nul%00byte`, { method: "PUT", body: "with a NUL" });
    const text = await response.text();
    if (response.status === 200) {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "nul\u0000byte" }));
      assert.equal(await got.Body!.transformToString(), "with a NUL");
    } else {
      assert.equal(response.status, 400, text);
      assert.ok(xmlCode(text), `an S3 error body: ${text}`);
    }
    assert.deepEqual(listOutsideData(parentDir), filesBefore);
    await assertHealthy();
  });

  it("e2e > s3 > hostile > a 1,025-byte key is KeyTooLongError (400) and nothing is stored", async () => {
    const key = "é".repeat(512) + "x";
    assert.equal(Buffer.byteLength(key), 1025);
    const error = await expectS3Error(client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "too long" })), "KeyTooLongError", 400);
    assert.equal(error.Code, "KeyTooLongError");
    await expectS3Error(client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key })), "KeyTooLongError", 400);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "é".repeat(512) }));
    assert.deepEqual((listed.Contents ?? []).filter((object) => object.Key !== "é".repeat(512)), [], "no key longer than 1,024 bytes was stored");
    await assertHealthy();
  });

  it("e2e > s3 > hostile > malformed XML to DeleteObjects and CompleteMultipartUpload is MalformedXML (400)", async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "survivor", Body: "still here" }));
    const bodies = ["<Delete><Object><Key>survivor</Key></Object>", "not xml at all", "<Delete><Object><Key>survivor</Key></Object></Wrong>", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><Delete><Object><Key>&a;</Key></Object></Delete>"];
    for (const body of bodies) {
      const answer = await rawXml("POST", `/${bucket}?delete`, Buffer.from(body));
      assert.equal(answer.status, 400, `DeleteObjects with ${JSON.stringify(body)}: ${answer.text}`);
      assert.equal(xmlCode(answer.text), "MalformedXML", answer.text);
    }
    assert.ok(await objectExists(client, "survivor"), "no malformed DeleteObjects deleted anything");

    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "multipart-target" }));
    for (const body of ["<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>", "{\"Parts\": []}", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part></Complete>"]) {
      const answer = await rawXml("POST", `/${bucket}/multipart-target?uploadId=${encodeURIComponent(UploadId!)}`, Buffer.from(body));
      assert.equal(answer.status, 400, `CompleteMultipartUpload with ${JSON.stringify(body)}: ${answer.text}`);
      assert.equal(xmlCode(answer.text), "MalformedXML", answer.text);
    }
    assert.equal(await objectExists(client, "multipart-target"), false);
    await assertHealthy();
  });

  it("e2e > s3 > hostile > a body shorter than its Content-Length: IncompleteBody or a closed connection, and nothing stored", async () => {
    const head = httpHead("PUT", `/${bucket}/short-body`, server, { "Content-Length": "1000", "Content-Type": "application/octet-stream" });
    const answer = await rawExchange(server, Buffer.concat([head, Buffer.alloc(10, 0x61)]));
    // The client half-closed after 10 bytes: an S3 answer must be IncompleteBody; otherwise the
    // connection ends with no success (a bare HTTP-layer 400 and close counts as closing).
    assert.ok(answer.closed, `the server closed the connection: ${answer.text}`);
    if (answer.status !== undefined) assert.ok(answer.status >= 400, `no success for a short body: ${answer.text}`);
    const code = xmlCode(answer.text);
    if (code !== undefined) assert.equal(code, "IncompleteBody", answer.text);
    assert.equal(await objectExists(client, "short-body"), false, "a short body is never stored");
    await assertHealthy();
  });

  it("e2e > s3 > hostile > a body longer than its Content-Length: exactly Content-Length bytes are the object, the rest is never part of it", async () => {
    // HTTP/1.1 (RFC 9112 §6.3): the bytes after Content-Length are the next request. Here they
    // begin like one ("GET /…", no line end yet), so the parser waits and the PUT is answered.
    const head = httpHead("PUT", `/${bucket}/long-body`, server, { "Content-Length": "5", "Content-Type": "application/octet-stream" });
    const answer = await rawExchange(server, Buffer.concat([head, Buffer.from("12345GET /not-the-body")]), { end: false, waitMs: 2_000 });
    assert.equal(answer.status, 200, answer.text);
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "long-body" }));
    assert.equal(await got.Body!.transformToString(), "12345");

    // Extra bytes that cannot start a request: the connection fails at them, and whatever became
    // of the PUT, the object is never more than its 5 bytes.
    const garbled = httpHead("PUT", `/${bucket}/long-garbage`, server, { "Content-Length": "5", "Content-Type": "application/octet-stream" });
    const failed = await rawExchange(server, Buffer.concat([garbled, Buffer.from("12345\x00\x01THE REST IS NOT HTTP\r\n\r\n")]));
    assert.ok(failed.closed, failed.text);
    if (await objectExists(client, "long-garbage")) {
      const stored = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "long-garbage" }));
      assert.equal(await stored.Body!.transformToString(), "12345");
    }
    await assertHealthy();
  });

  it("e2e > s3 > hostile > a single PUT declaring 5 GiB + 1 is EntityTooLarge (400) before any byte of it is sent", async () => {
    const head = httpHead("PUT", `/${bucket}/too-large`, server, { "Content-Length": String(5 * 1024 ** 3 + 1), "Content-Type": "application/octet-stream" });
    const answer = await rawExchange(server, head, { end: false, waitMs: 10_000 });
    assert.equal(answer.status, 400, `answer within the wait: ${answer.text}`);
    assert.equal(xmlCode(answer.text.slice(answer.text.indexOf("<"))), "EntityTooLarge", answer.text);
    assert.equal(await objectExists(client, "too-large"), false);
    await assertHealthy();
  });

  it("e2e > s3 > hostile > sigv4: aws-chunked uploads with correct chunk signatures are stored; a wrong chunk signature is SignatureDoesNotMatch (403) and stores nothing", async () => {
    const data = Buffer.alloc(100_000, 0x5a);
    const chunks = [data.subarray(0, 65_536), data.subarray(65_536)];
    const good = await chunkedPut(signed, "chunked-good", chunks, () => false);
    assert.equal(good.status, 200, `a correctly signed aws-chunked upload: ${good.text}`);
    const got = await signedClient.send(new GetObjectCommand({ Bucket: bucket, Key: "chunked-good" }));
    assert.equal(sha256Hex(Buffer.from(await got.Body!.transformToByteArray())), sha256Hex(data));

    for (const [what, wrong] of [["the first chunk", 0], ["the second chunk", 1], ["the final empty chunk", 2]] as const) {
      const answer = await chunkedPut(signed, `chunked-bad-${wrong}`, chunks, (index) => index === wrong);
      assert.equal(answer.status, 403, `a wrong signature on ${what}: ${answer.text}`);
      assert.equal(xmlCode(answer.text), "SignatureDoesNotMatch", answer.text);
      assert.equal(await objectExists(signedClient, `chunked-bad-${wrong}`), false, `nothing stored after a wrong signature on ${what}`);
    }
    await assertHealthy(signed);
  });

  it("e2e > s3 > hostile > sigv4: a body that does not match its signed x-amz-content-sha256 is XAmzContentSHA256Mismatch (400)", async () => {
    const sent = Buffer.from("the body that was sent");
    const declared = sha256Hex(Buffer.from("the body that was signed"));
    const request = await signRequest(signed, "PUT", `/${bucket}/sha-mismatch`, { "x-amz-content-sha256": declared, "content-length": String(sent.length) });
    const { status, text } = await httpSend(signed, "PUT", `/${bucket}/sha-mismatch`, request, sent);
    assert.equal(status, 400, text);
    assert.equal(xmlCode(text), "XAmzContentSHA256Mismatch", text);
    assert.equal(await objectExists(signedClient, "sha-mismatch"), false);
    await assertHealthy(signed);
  });
});

// ---------------------------------------------------------------------------------------------
// SigV4 by hand where the SDK cannot be made to go wrong: the seed signature from the SDK's own
// signer (@smithy/signature-v4), chunk signatures as the S3 API Reference defines them
// (sigv4-streaming.html: "AWS4-HMAC-SHA256-PAYLOAD", date, scope, previous signature, hash of
// the empty string, hash of the chunk).

async function signRequest(target: TestServer, method: string, path: string, headers: Record<string, string>, date = new Date()): Promise<Record<string, string>> {
  const url = new URL(`${target.url}${path}`);
  // The keys here are plain ASCII, so S3's single escaping of the path and the default double one agree.
  const sdk = sdkSigner(signer, target.region, "s3");
  const request = await sdk.sign(
    { method, protocol: "http:", hostname: url.hostname, port: Number(url.port), path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { host: url.host, ...headers } },
    { signingDate: date },
  );
  return request.headers as Record<string, string>;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

function signingKeyOf(secretAccessKey: string, day: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), "s3"), "aws4_request");
}

function chunkSignature(signingKey: Buffer, dateTime: string, scope: string, previous: string, chunk: Buffer): string {
  const stringToSign = ["AWS4-HMAC-SHA256-PAYLOAD", dateTime, scope, previous, sha256Hex(Buffer.alloc(0)), sha256Hex(chunk)].join("\n");
  return createHmac("sha256", signingKey).update(stringToSign).digest("hex");
}

async function chunkedPut(target: TestServer, key: string, chunks: Buffer[], corrupt: (index: number) => boolean): Promise<{ status: number; text: string }> {
  const date = new Date(Math.floor(Date.now() / 1000) * 1000);
  const dateTime = date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = dateTime.slice(0, 8);
  const scope = `${day}/${target.region}/s3/aws4_request`;
  const decodedLength = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const all = [...chunks, Buffer.alloc(0)];
  const signatureHexLength = 64;
  const encodedLength = all.reduce((sum, chunk) => sum + chunk.length.toString(16).length + ";chunk-signature=".length + signatureHexLength + 2 + chunk.length + 2, 0);
  const headers = await signRequest(
    target,
    "PUT",
    `/${bucket}/${key}`,
    {
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": String(decodedLength),
      "content-length": String(encodedLength),
    },
    date,
  );
  const seed = /Signature=([0-9a-f]{64})/.exec(headers.authorization ?? headers.Authorization ?? "")![1]!;
  const signingKey = signingKeyOf(signer.secretAccessKey, day, target.region);
  let previous = seed;
  const parts: Buffer[] = [];
  for (const [index, chunk] of all.entries()) {
    let signature = chunkSignature(signingKey, dateTime, scope, previous, chunk);
    if (corrupt(index)) signature = (signature[0] === "0" ? "1" : "0") + signature.slice(1);
    previous = signature;
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`), chunk, Buffer.from("\r\n"));
  }
  const body = Buffer.concat(parts);
  assert.equal(body.length, encodedLength);
  return httpSend(target, "PUT", `/${bucket}/${key}`, headers, body);
}

/** One HTTP/1.1 request with exactly these headers (fetch would drop Host and rework Content-Length). */
function httpSend(target: TestServer, method: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(target.url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port: Number(port), method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode!, text: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
}
