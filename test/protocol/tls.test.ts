/**
 * TLS on the listener's port, next to plain HTTP: the AWS SDK over https (h2 by ALPN), HTTP/1.1
 * over TLS with and without ALPN, h2 over TLS, and h2c and HTTP/1.1 in the clear, all on one
 * port at the same time; plus the self-signed certificate `--tls` keeps in the data directory.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as connectHttp2, type ClientHttp2Session } from "node:http2";
import { connect as connectTls } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { loadOrCreateSelfSigned, selfSignedPaths } from "../../src/server/tls-self-signed.js";
import { createSelfSignedCertificate, ipAddressBytes, type TlsMaterial } from "../../src/server/tls-certificate.js";
import { ManualClock, systemClock } from "../../src/util/clock.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import type { RunningApp } from "../../src/server/app.js";
import { startTestServer } from "../helpers/server.js";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const jsonType = "application/x-amz-json-1.1";

let dataDir: string;
let material: TlsMaterial;
let app: RunningApp;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tributary-tls-"));
  material = await loadOrCreateSelfSigned({ dataDir, host: "127.0.0.1", clock: systemClock, random: systemRandom, logger: silentLogger });
  app = (await startTestServer({ tls: material })).app!;
});

after(async () => {
  await app.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: any;
  /** The protocol the connection negotiated, where there was a choice. */
  protocol?: string | false | null;
}

/** CreateStream answers an empty body. */
function parseBody(chunks: Buffer[]): any {
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : JSON.parse(text);
}

function http1Call(url: string, action: string, body: unknown, tlsOptions?: { ALPNProtocols?: string[] }): Promise<Answer> {
  const target = new URL(url);
  const payload = Buffer.from(JSON.stringify(body));
  const options = {
    host: target.hostname,
    port: target.port,
    method: "POST",
    agent: false as const,
    headers: { "content-type": jsonType, "x-amz-target": `Kinesis_20131202.${action}`, "content-length": payload.length },
  };
  return new Promise((resolve, reject) => {
    const onResponse = (res: import("node:http").IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const socket = res.socket as import("node:tls").TLSSocket;
        resolve({ status: res.statusCode ?? 0, body: parseBody(chunks), protocol: socket.alpnProtocol });
      });
    };
    const req = target.protocol === "https:" ? httpsRequest({ ...options, ca: material.cert, ...tlsOptions }, onResponse) : httpRequest(options, onResponse);
    req.on("error", reject);
    req.end(payload);
  });
}

function http2Call(session: ClientHttp2Session, action: string, body: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": "/", "content-type": jsonType, "x-amz-target": `Kinesis_20131202.${action}` });
    let status = 0;
    const chunks: Buffer[] = [];
    stream.on("response", (headers) => (status = Number(headers[":status"])));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve({ status, body: parseBody(chunks), protocol: session.alpnProtocol }));
    stream.on("error", reject);
    stream.end(JSON.stringify(body));
  });
}

function sdkOverHttps(): KinesisClient {
  // The SDK's default HTTP/2 handler, told to trust the self-signed certificate.
  return new KinesisClient({ endpoint: app.tlsUrl!, region: "us-east-1", credentials, requestHandler: { nodeHttp2ConnectOptions: { ca: material.cert } } });
}

describe("tls > listener", () => {
  it("tls > listener > reports an https URL on the same port as the http one", () => {
    assert.ok(app.tlsUrl);
    const plain = new URL(app.url);
    const secure = new URL(app.tlsUrl);
    assert.equal(plain.protocol, "http:");
    assert.equal(secure.protocol, "https:");
    assert.equal(secure.port, plain.port);
  });

  it("tls > sdk > the SDK's default client works over https", async () => {
    const kinesis = sdkOverHttps();
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: "tls-sdk", ShardCount: 1 }));
      const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "tls-sdk" }));
      assert.equal(summary.StreamDescriptionSummary?.StreamName, "tls-sdk");
      assert.equal(summary.StreamDescriptionSummary?.OpenShardCount, 1);
    } finally {
      kinesis.destroy();
    }
  });

  it("tls > http2 > h2 is chosen by ALPN", async () => {
    const session = connectHttp2(app.tlsUrl!, { ca: material.cert });
    try {
      const answer = await http2Call(session, "ListStreams", {});
      assert.equal(answer.status, 200);
      assert.equal(answer.protocol, "h2");
      assert.ok(Array.isArray(answer.body.StreamNames));
    } finally {
      session.close();
    }
  });

  it("tls > http1.1 > with ALPN http/1.1 and without ALPN", async () => {
    const withAlpn = await http1Call(app.tlsUrl!, "ListStreams", {}, { ALPNProtocols: ["http/1.1"] });
    assert.equal(withAlpn.status, 200);
    assert.equal(withAlpn.protocol, "http/1.1");
    const withoutAlpn = await http1Call(app.tlsUrl!, "ListStreams", {});
    assert.equal(withoutAlpn.status, 200);
    assert.equal(withoutAlpn.protocol, false);
    assert.ok(Array.isArray(withoutAlpn.body.StreamNames));
  });

  it("tls > same port > TLS and plain h2c and HTTP/1.1 at the same time", async () => {
    const secure = connectHttp2(app.tlsUrl!, { ca: material.cert });
    const plain = connectHttp2(app.url);
    const kinesis = sdkOverHttps();
    try {
      const names = ["tls-mix-a", "tls-mix-b", "tls-mix-c", "tls-mix-d"];
      const answers = await Promise.all([
        http2Call(secure, "CreateStream", { StreamName: names[0], ShardCount: 1 }),
        http2Call(plain, "CreateStream", { StreamName: names[1], ShardCount: 1 }),
        http1Call(app.tlsUrl!, "CreateStream", { StreamName: names[2], ShardCount: 1 }),
        http1Call(app.url, "CreateStream", { StreamName: names[3], ShardCount: 1 }),
        kinesis.send(new CreateStreamCommand({ StreamName: "tls-mix-e", ShardCount: 1 })).then(() => ({ status: 200, body: {} })),
      ]);
      assert.deepEqual(answers.map((answer) => answer.status), [200, 200, 200, 200, 200]);
      const listed = await http2Call(plain, "ListStreams", {});
      for (const name of [...names, "tls-mix-e"]) assert.ok(listed.body.StreamNames.includes(name), `${name} missing from ${listed.body.StreamNames}`);
    } finally {
      secure.close();
      plain.close();
      kinesis.destroy();
    }
  });

  it("tls > handshake > a client that does not trust the certificate fails alone; the port keeps serving", async () => {
    await assert.rejects(
      new Promise((resolve, reject) => {
        const socket = connectTls({ host: "127.0.0.1", port: Number(new URL(app.tlsUrl!).port), ALPNProtocols: ["h2"] }, () => resolve(socket));
        socket.on("error", reject);
      }),
      (error: NodeJS.ErrnoException) => error.code === "DEPTH_ZERO_SELF_SIGNED_CERT" || error.code === "SELF_SIGNED_CERT_IN_CHAIN",
    );
    assert.equal((await http1Call(app.tlsUrl!, "ListStreams", {})).status, 200);
    assert.equal((await http1Call(app.url, "ListStreams", {})).status, 200);
  });
});

describe("tls > self-signed", () => {
  it("tls > self-signed > names localhost and loopback, is its own CA, and its key is private", () => {
    const certificate = new X509Certificate(material.cert);
    assert.equal(certificate.verify(certificate.publicKey), true);
    assert.equal(certificate.ca, true);
    assert.equal(certificate.checkHost("localhost"), "localhost");
    assert.equal(certificate.checkIP("127.0.0.1"), "127.0.0.1");
    assert.equal(certificate.checkIP("::1"), "::1");
    assert.equal(certificate.checkHost("example.com"), undefined);
    const paths = selfSignedPaths(dataDir);
    assert.equal(statSync(paths.key).mode & 0o777, 0o600);
    assert.equal(readFileSync(paths.cert, "utf8"), material.cert);
  });

  it("tls > self-signed > a second start reuses the stored pair", async () => {
    const again = await loadOrCreateSelfSigned({ dataDir, host: "127.0.0.1", clock: systemClock, random: systemRandom, logger: silentLogger });
    assert.deepEqual(again, material);
  });

  it("tls > self-signed > a new host, or an expiring certificate, gets a new pair", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-tls-renew-"));
    try {
      const clock = new ManualClock(Date.UTC(2030, 0, 1));
      const deps = { dataDir: dir, host: "127.0.0.1", clock, random: new SeededRandom(3), logger: silentLogger };
      const first = await loadOrCreateSelfSigned(deps);
      const otherHost = await loadOrCreateSelfSigned({ ...deps, host: "10.1.2.3" });
      assert.notDeepEqual(otherHost, first);
      assert.equal(new X509Certificate(otherHost.cert).checkIP("10.1.2.3"), "10.1.2.3");
      assert.deepEqual(await loadOrCreateSelfSigned({ ...deps, host: "10.1.2.3" }), otherHost);
      clock.advance(365 * 24 * 60 * 60 * 1000);
      const renewed = await loadOrCreateSelfSigned({ ...deps, host: "10.1.2.3" });
      assert.notDeepEqual(renewed, otherHost);
      assert.ok(Date.parse(new X509Certificate(renewed.cert).validTo) > clock.nowMs());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("tls > self-signed > validity and serial come from the injected clock and random", () => {
    const nowMs = Date.UTC(2031, 5, 15, 12, 0, 0);
    const made = createSelfSignedCertificate({ commonName: "t", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], nowMs, validityMs: 86_400_000, random: new SeededRandom(9) });
    const certificate = new X509Certificate(made.cert);
    assert.equal(Date.parse(certificate.validFrom), nowMs - 3_600_000);
    assert.equal(Date.parse(certificate.validTo), nowMs + 86_400_000);
    const expectedSerial = new SeededRandom(9).bytes(16);
    expectedSerial[0] = (expectedSerial[0]! & 0x7f) | 0x01;
    assert.equal(certificate.serialNumber.toLowerCase(), expectedSerial.toString("hex"));
    assert.equal(certificate.subject, "CN=t");
  });

  it("tls > self-signed > IPv6 addresses encode to their 16 bytes", () => {
    assert.equal(ipAddressBytes("::1").toString("hex"), "00000000000000000000000000000001");
    assert.equal(ipAddressBytes("fe80::1:2").toString("hex"), "fe800000000000000000000000010002");
    assert.equal(ipAddressBytes("2001:db8::").toString("hex"), "20010db8000000000000000000000000");
    assert.equal(ipAddressBytes("::ffff:10.0.0.1").toString("hex"), "00000000000000000000ffff0a000001");
    assert.equal(ipAddressBytes("10.0.0.1").toString("hex"), "0a000001");
  });
});
