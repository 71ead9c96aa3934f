/**
 * Seeded fuzz of SigV4 Authorization header parsing: headers built from the grammar's pieces,
 * shuffled, cut and sprinkled with garbage, and valid signed headers mutated byte by byte. The
 * verifier never throws, and every refusal is an AWS authentication error (type, 400, message)
 * that echoes no full signature. A sample also goes through the server, which must answer each
 * with the JSON error envelope. Replay a failure with TRIBUTARY_FUZZ_SEED=<seed>.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SeededRandom } from "../../src/util/random.js";
import { createSigV4Verifier, signingKey, signatureHex, stringToSign, canonicalRequest, sha256Hex, type SignedRequest } from "../../src/auth/sigv4/index.js";
import { rawRequest } from "../helpers/raw.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { CredentialsDir, credentialsEntry } from "./sigv4-helpers.js";

const seeds = process.env.TRIBUTARY_FUZZ_SEED ? [Number(process.env.TRIBUTARY_FUZZ_SEED)] : [1, 2, 3];
const casesPerSeed = 2000;
const serverCasesPerSeed = 60;

const authErrorTypes = new Set(["MissingAuthenticationTokenException", "IncompleteSignatureException", "InvalidSignatureException", "UnrecognizedClientException"]);
const key = { accessKeyId: "AKIAFUZZEXAMPLE00001", secretAccessKey: "fuzz/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const nowMs = Date.UTC(2025, 0, 2, 3, 4, 5);
const stamp = "20250102T030405Z";
const host = "127.0.0.1:4567";

const verifier = createSigV4Verifier({
  region: "us-east-1",
  service: "kinesis",
  lookup: async (accessKeyId) => (accessKeyId === key.accessKeyId ? { secretAccessKey: key.secretAccessKey, identity: "fuzz" } : undefined),
});

class Draw {
  private readonly random: SeededRandom;
  constructor(seed: number) {
    this.random = new SeededRandom(seed);
  }
  int(bound: number): number {
    return Math.floor(this.random.float() * bound);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(probability: number): boolean {
    return this.random.float() < probability;
  }
  /** Printable ASCII, or any UTF-16 unit when `anyChar` (for the in-process cases only). */
  text(lengthMax: number, anyChar: boolean): string {
    let out = "";
    const length = this.int(lengthMax + 1);
    for (let i = 0; i < length; i++) out += String.fromCharCode(anyChar && this.chance(0.3) ? this.int(0x10000) : 0x20 + this.int(0x5f));
    return out;
  }
}

const body = Buffer.from("{}");
const baseHeaders = { host, "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams", "x-amz-date": stamp };
const signedNames = ["content-type", "host", "x-amz-date", "x-amz-target"];

function validAuthorization(): string {
  return `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/20250102/us-east-1/kinesis/aws4_request, SignedHeaders=${signedNames.join(";")}, Signature=${validSignature}`;
}

const validSignature = (() => {
  const canonical = canonicalRequest({ method: "POST", path: "/", query: [], headers: baseHeaders, signedHeaders: signedNames, payloadHash: sha256Hex(body) });
  return signatureHex(signingKey(key.secretAccessKey, "20250102", "us-east-1", "kinesis"), stringToSign(stamp, "20250102/us-east-1/kinesis/aws4_request", canonical));
})();

/** A header from the grammar's pieces, in random order and form, with garbage mixed in. */
function grammarHeader(draw: Draw, anyChar: boolean): string {
  const pieces: string[] = [];
  const count = draw.int(6);
  for (let i = 0; i < count; i++) {
    pieces.push(
      draw.pick([
        () => `Credential=${draw.pick([key.accessKeyId, "AKIANOBODY", "", draw.text(20, anyChar)])}/${draw.pick(["20250102", "2025", "", draw.text(8, anyChar)])}/${draw.pick(["us-east-1", "eu-west-1", ""])}/${draw.pick(["kinesis", "s3", ""])}/${draw.pick(["aws4_request", "x"])}`,
        () => `Credential=${draw.text(40, anyChar)}`,
        () => `SignedHeaders=${draw.pick(["host", "content-type;host;x-amz-date", ":authority", "", draw.text(30, anyChar)])}`,
        () => `Signature=${draw.pick(["", "a".repeat(64), draw.text(70, anyChar)])}`,
        () => draw.text(30, anyChar),
        () => "=",
        () => "Credential",
      ])(),
    );
  }
  const separators = [", ", ",", " ", "  ", ";", ",,"];
  const algorithm = draw.pick(["AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", "AWS", "", "Bearer", draw.text(20, anyChar)]);
  return algorithm + (draw.chance(0.9) ? " " : "") + pieces.map((piece, index) => (index === 0 ? piece : draw.pick(separators) + piece)).join("");
}

/** The valid header with a few bytes replaced, inserted or removed. */
function mutatedHeader(draw: Draw, anyChar: boolean): string {
  const chars = [...validAuthorization()];
  const edits = 1 + draw.int(3);
  for (let i = 0; i < edits; i++) {
    const at = draw.int(chars.length + 1);
    const replacement = draw.text(2, anyChar);
    const kind = draw.int(3);
    if (kind === 0) chars.splice(at, 1, replacement);
    else if (kind === 1) chars.splice(at, 0, replacement);
    else chars.splice(at, 1);
  }
  return chars.join("");
}

function randomRequest(draw: Draw, anyChar: boolean): { headers: Record<string, string>; authorization: string } {
  const authorization = draw.chance(0.5) ? grammarHeader(draw, anyChar) : mutatedHeader(draw, anyChar);
  const headers: Record<string, string> = { ...baseHeaders, authorization };
  if (draw.chance(0.2)) delete headers["x-amz-date"];
  if (draw.chance(0.2)) headers.date = draw.pick(["Thu, 02 Jan 2025 03:04:05 GMT", "a", draw.text(30, anyChar)]);
  if (draw.chance(0.1)) headers["x-amz-date"] = draw.text(20, anyChar);
  if (draw.chance(0.1)) headers["x-amz-security-token"] = draw.text(20, anyChar);
  return { headers, authorization };
}

function assertAwsShaped(outcome: Awaited<ReturnType<typeof verifier.verify>>, authorization: string, context: string): void {
  if (outcome.ok) {
    assert.equal(outcome.identity, "fuzz", context);
    return;
  }
  assert.ok(authErrorTypes.has(outcome.error.type), `${context}: type ${outcome.error.type}`);
  assert.equal(outcome.error.statusCode, 400, context);
  assert.equal(typeof outcome.error.wireMessage, "string", context);
  assert.ok(outcome.error.wireMessage!.length > 0, context);
  for (const signature of [validSignature, ...(authorization.match(/[0-9a-fA-F]{16,}/g) ?? [])]) {
    assert.ok(!outcome.error.wireMessage!.includes(signature), `${context}: a signature is echoed`);
  }
  assert.ok(!outcome.error.wireMessage!.includes(key.secretAccessKey), `${context}: the secret is echoed`);
}

describe("auth > sigv4 > fuzz", () => {
  it("auth > sigv4 > fuzz > the unmutated header verifies (the fuzz starts from a valid request)", async () => {
    const request: SignedRequest = { method: "POST", path: "/", query: [], headers: { ...baseHeaders, authorization: validAuthorization() }, body };
    assert.deepEqual(await verifier.verify(request, nowMs), { ok: true, identity: "fuzz" });
  });

  for (const seed of seeds) {
    it(`auth > sigv4 > fuzz > seed ${seed}: never throws, always an AWS authentication error or the right identity`, async () => {
      const draw = new Draw(seed);
      let refused = 0;
      for (let i = 0; i < casesPerSeed; i++) {
        const { headers, authorization } = randomRequest(draw, true);
        const context = `seed ${seed} case ${i}: ${JSON.stringify(authorization)}`;
        const outcome = await verifier.verify({ method: "POST", path: "/", query: [], headers, body }, nowMs);
        assertAwsShaped(outcome, authorization, context);
        if (!outcome.ok) refused++;
      }
      // Nearly every case is refused: a fuzz that mostly verified would not be exercising the parser.
      assert.ok(refused > casesPerSeed * 0.9, `only ${refused} of ${casesPerSeed} refused`);
    });
  }
});

describe("auth > sigv4 > fuzz > through the server", () => {
  let credentials: CredentialsDir;
  let server: TestServer;
  before(async () => {
    credentials = new CredentialsDir();
    credentials.write([credentialsEntry("fuzz", key)]);
    server = await startTestServer({ credentialsFile: credentials.path });
  });
  after(async () => {
    await server?.stop();
    credentials?.remove();
  });

  for (const seed of seeds) {
    it(`auth > sigv4 > fuzz > server > seed ${seed}: every answer is a JSON AWS error envelope with status 400`, async () => {
      const draw = new Draw(seed + 1000);
      for (let i = 0; i < serverCasesPerSeed; i++) {
        const { headers, authorization } = randomRequest(draw, false);
        delete headers.host;
        const response = await rawRequest(server.url, body, { headers });
        const context = `seed ${seed} case ${i}: ${JSON.stringify(authorization)}`;
        assert.equal(response.statusCode, 400, context);
        assert.equal(response.headers["content-type"], "application/x-amz-json-1.1", context);
        assert.ok(authErrorTypes.has(response.body.__type), `${context}: ${JSON.stringify(response.body)}`);
        assert.equal(typeof response.body.message, "string", context);
      }
    });
  }
});
