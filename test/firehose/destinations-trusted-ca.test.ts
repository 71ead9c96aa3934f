/**
 * firehose > destinations > trusted CA (`--firehose-ca-file`, docs/firehose.md): an HTTP endpoint
 * served over HTTPS with a self-signed certificate gets its records once the server trusts that
 * certificate; without it the TLS handshake fails and the records end as http-endpoint-failed
 * error records naming the certificate problem. A file without a certificate stops the start.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { FirehoseClient, PutRecordCommand } from "@aws-sdk/client-firehose";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { startServer, StartError, type TributaryServer } from "../../src/index.js";
import { createSelfSignedCertificate, type TlsMaterial } from "../../src/server/tls-certificate.js";
import { systemRandom } from "../../src/util/random.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const roleArn = "arn:aws:iam::000000000000:role/firehose";

function certificate(): TlsMaterial {
  return createSelfSignedCertificate({ commonName: "receiver", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], nowMs: Date.now(), validityMs: 24 * 3600 * 1000, random: systemRandom });
}

/** An HTTPS receiver answering Firehose's response contract; the records it was sent. */
async function receiver(tls: TlsMaterial): Promise<{ url: string; records: string[]; server: Server }> {
  const records: string[] = [];
  const server = createServer({ cert: tls.cert, key: tls.key }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse((request.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8")) as { requestId: string; records: { data: string }[] };
      for (const record of body.records) records.push(Buffer.from(record.data, "base64").toString("utf8"));
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ requestId: body.requestId, timestamp: Date.now() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}/ingest`, records, server };
}

function initFor(url: string) {
  return {
    buckets: [{ Bucket: "backup" }],
    deliveryStreams: [
      {
        DeliveryStreamName: "to-https",
        HttpEndpointDestinationConfiguration: {
          EndpointConfiguration: { Url: url, Name: "receiver" },
          BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 1 },
          RetryOptions: { DurationInSeconds: 0 },
          S3BackupMode: "FailedDataOnly",
          S3Configuration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::backup" },
        },
      },
    ],
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function put(server: TributaryServer, text: string): Promise<void> {
  const firehose = new FirehoseClient({ endpoint: server.url, region: server.region, credentials });
  await firehose.send(new PutRecordCommand({ DeliveryStreamName: "to-https", Record: { Data: Buffer.from(text) } }));
  firehose.destroy();
}

describe("firehose > destinations > trusted CA", () => {
  it("firehose > destinations > trusted CA > a self-signed HTTPS endpoint gets its records with --firehose-ca-file, and fails the handshake without it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-firehose-ca-"));
    const tls = certificate();
    const endpoint = await receiver(tls);
    const caFile = join(dir, "receiver-ca.pem");
    writeFileSync(caFile, tls.cert);
    try {
      const trusting = await startServer({ firehoseCaFile: caFile, init: initFor(endpoint.url) });
      await put(trusting, "trusted record");
      await until("the record at the receiver", async () => (endpoint.records.length > 0 ? true : undefined));
      assert.deepEqual(endpoint.records, ["trusted record"]);
      await trusting.close();

      const untrusting = await startServer({ init: initFor(endpoint.url) });
      await put(untrusting, "untrusted record");
      const s3 = new S3Client({ endpoint: untrusting.url, region: untrusting.region, credentials, forcePathStyle: true });
      const key = await until("the error record", async () => (await s3.send(new ListObjectsV2Command({ Bucket: "backup", Prefix: "http-endpoint-failed/" }))).Contents?.[0]?.Key);
      const text = await (await s3.send(new GetObjectCommand({ Bucket: "backup", Key: key }))).Body!.transformToString();
      const failed = JSON.parse(text.trim().split("\n")[0]!) as { errorMessage: string; rawData: string };
      assert.match(failed.errorMessage, /self[- ]signed certificate/);
      assert.equal(Buffer.from(failed.rawData, "base64").toString("utf8"), "untrusted record");
      assert.deepEqual(endpoint.records, ["trusted record"], "the receiver never got the untrusted server's record");
      s3.destroy();
      await untrusting.close();
    } finally {
      endpoint.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("firehose > destinations > trusted CA > a file without a certificate, or none at all, stops the start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-firehose-ca-"));
    try {
      const empty = join(dir, "empty.pem");
      writeFileSync(empty, "not a certificate\n");
      await assert.rejects(startServer({ firehoseCaFile: empty }), (error: Error) => error instanceof StartError && error.message === `--firehose-ca-file ${empty} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
      const missing = join(dir, "missing.pem");
      await assert.rejects(startServer({ firehoseCaFile: missing }), (error: Error) => error instanceof StartError && error.message.startsWith(`cannot read --firehose-ca-file ${missing}: ENOENT`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
