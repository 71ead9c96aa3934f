/**
 * The services' own object writes (ServiceDeps.objectClient, docs/s3.md): into the built-in store
 * by default — where the S3 API on the port reads them — and, with `--s3-endpoint`, into that
 * endpoint instead (s3rver here, an independent implementation), through the whole start path
 * (options, the secret from the environment's place, the app).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startServer } from "../../src/index.js";
import { services } from "../../src/server/services.js";
import type { ServiceDeps } from "../../src/server/app.js";
import type { ServiceInstance } from "../../src/protocol/service-module.js";
import type { ObjectClient } from "../../src/storage/object-client/index.js";
import type { S3Instance } from "../../src/s3/index.js";
import { startTestServer, exampleCredentials } from "../helpers/server.js";
import { startS3rver, type S3rverServer } from "../helpers/s3rver.js";

/** A module that only keeps the object client the app hands it, as Firehose or Lambda will use it. */
function probe(): { module: (typeof services)[number]; client: () => ObjectClient } {
  let client: ObjectClient | undefined;
  const module = {
    name: "probe",
    create: (deps: ServiceDeps): ServiceInstance => {
      client = deps.objectClient;
      return { start: async () => {}, stop: async () => {} };
    },
  };
  return { module: module as (typeof services)[number], client: () => client! };
}

describe("e2e > object client in the services' deps", () => {
  let s3rver: S3rverServer;
  before(async () => {
    s3rver = await startS3rver();
  });
  after(() => s3rver?.stop());

  it("e2e > object client in the services' deps > writes land in the built-in store, read back through the S3 API", async () => {
    const { module, client } = probe();
    const server = await startTestServer({ services: [...services, module] });
    try {
      assert.deepEqual(await client().ensureBucket({ Bucket: "deliveries", accountId: server.accountId }), { ok: true });
      const put = await client().putObject({ Bucket: "deliveries", Key: "2026/12/06/part-0", Body: Buffer.from("delivered"), ContentType: "text/plain" });
      assert.ok(put.ok);
      const s3 = new S3Client({ endpoint: server.url, region: server.region, credentials: exampleCredentials, forcePathStyle: true });
      const got = await s3.send(new GetObjectCommand({ Bucket: "deliveries", Key: "2026/12/06/part-0" }));
      assert.equal(await got.Body!.transformToString(), "delivered");
      assert.equal(got.ETag, put.ETag);
      s3.destroy();
    } finally {
      await server.stop();
    }
  });

  it("e2e > object client in the services' deps > with --s3-endpoint they land at that endpoint, and the built-in store stays empty", async () => {
    // The whole start path: the options as the embedding API takes them, the secret beside them.
    const endpointServer = await startServer({
      s3Endpoint: s3rver.url,
      s3Region: s3rver.region,
      s3AccessKeyId: s3rver.credentials.accessKeyId,
      s3SecretAccessKey: s3rver.credentials.secretAccessKey,
    });
    await endpointServer.close();
    const { module, client } = probe();
    const withEndpoint = await startTestServer({ services: [...services, module], s3Endpoint: { url: s3rver.url, region: s3rver.region, ...s3rver.credentials, forcePathStyle: true } });
    try {
      assert.deepEqual(await client().ensureBucket({ Bucket: "external-deliveries", accountId: withEndpoint.accountId }), { ok: true });
      assert.ok((await client().putObject({ Bucket: "external-deliveries", Key: "k", Body: Buffer.from("elsewhere") })).ok);
      const atS3rver = new S3Client({ endpoint: s3rver.url, region: s3rver.region, credentials: s3rver.credentials, forcePathStyle: true });
      const got = await atS3rver.send(new GetObjectCommand({ Bucket: "external-deliveries", Key: "k" }));
      assert.equal(await got.Body!.transformToString(), "elsewhere");
      atS3rver.destroy();
      // No caller's bucket: only the Lambda service's internal code bucket (owned by no account) may exist.
      const buckets = await withEndpoint.app!.service<S3Instance>("s3")!.context.store.listBuckets();
      assert.deepEqual(buckets.filter((bucket) => bucket.accountId !== "tributary-internal"), []);
    } finally {
      await withEndpoint.stop();
    }
  });
});
