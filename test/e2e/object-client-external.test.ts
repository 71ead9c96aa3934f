/**
 * The external object client (`--s3-endpoint`) against s3rver, an independent S3 implementation run
 * in this process on port 0: the same case list as the local client (object-client-cases.ts), then
 * what only a remote endpoint does — its error codes passed through.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { externalObjectClient, type S3EndpointConfig } from "../../src/storage/object-client/index.js";
import { runObjectClientCases } from "../storage/object-client-cases.js";
import { startS3rver } from "../helpers/s3rver.js";

interface RunningS3rver {
  config: S3EndpointConfig;
  stop(): Promise<void>;
}

async function startS3rverEndpoint(): Promise<RunningS3rver> {
  const server = await startS3rver();
  return { config: { url: server.url, region: server.region, ...server.credentials, forcePathStyle: true }, stop: () => server.stop() };
}

runObjectClientCases("external, s3rver", async () => {
  const s3rver = await startS3rverEndpoint();
  return { client: externalObjectClient(s3rver.config), accountId: "000000000000", cleanup: () => s3rver.stop() };
});

describe("object client > external only", () => {
  let s3rver: RunningS3rver;
  before(async () => {
    s3rver = await startS3rverEndpoint();
  });
  after(() => s3rver.stop());

  it("the endpoint's error codes come through: wrong credentials are its InvalidAccessKeyId", async () => {
    const client = externalObjectClient({ ...s3rver.config, accessKeyId: "NOT-S3RVER" });
    const outcome = await client.listObjects({ Bucket: "any-bucket" });
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.code, "InvalidAccessKeyId");
  });

  it("virtual-hosted addressing (forcePathStyle false) reaches no bucket on 127.0.0.1: a failure, not a throw", async () => {
    const client = externalObjectClient({ ...s3rver.config, url: "http://127.0.0.1:1", forcePathStyle: false });
    const outcome = await client.putObject({ Bucket: "b", Key: "k", Body: Buffer.from("x") });
    assert.equal(outcome.ok, false);
  });
});
