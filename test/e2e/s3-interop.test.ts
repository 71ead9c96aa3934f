/**
 * The same S3 client scenario (test/helpers/s3-scenario.ts: @aws-sdk/client-s3 with its default
 * configuration, checksums on, path style) against Tributary and against s3rver, the independent
 * implementation. What s3rver answers differently from Amazon S3 is listed, with AWS's page, in
 * `s3rverDeviations`; those assertions (and the steps for actions s3rver lacks) are left out for
 * s3rver only.
 *
 * Tributary runs in eu-west-1 here: outside us-east-1 S3 answers a re-created own bucket with
 * BucketAlreadyOwnedByYou (409), while us-east-1 answers 200 for legacy compatibility (the boto3
 * scenario covers that one).
 */
import { after, before, describe, it } from "node:test";
import type { S3Client } from "@aws-sdk/client-s3";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { startS3rver, type S3rverServer } from "../helpers/s3rver.js";
import { s3ScenarioSteps, scenarioClient, scenarioContext, type ScenarioContext, type S3Target } from "../helpers/s3-scenario.js";

const tributaryRegion = "eu-west-1";

describe("e2e > s3 interop > tributary", () => {
  let server: TestServer;
  let client: S3Client;
  let context: ScenarioContext;
  before(async () => {
    server = await startTestServer({ streams: { region: tributaryRegion } });
    const target: S3Target = { name: "tributary", url: server.url, region: server.region };
    client = scenarioClient(target);
    context = scenarioContext(target, client, "interop");
  });
  after(async () => {
    client?.destroy();
    await server?.stop();
  });
  for (const step of s3ScenarioSteps) {
    it(`e2e > s3 interop > tributary > ${step.name}`, { timeout: 120_000 }, () => step.run(context));
  }
});

describe("e2e > s3 interop > s3rver", () => {
  let server: S3rverServer;
  let client: S3Client;
  let context: ScenarioContext;
  before(async () => {
    server = await startS3rver();
    const target: S3Target = { name: "s3rver", url: server.url, region: server.region, credentials: server.credentials };
    client = scenarioClient(target);
    context = scenarioContext(target, client, "interop");
  });
  after(async () => {
    client?.destroy();
    await server?.stop();
  });
  for (const step of s3ScenarioSteps) {
    it(`e2e > s3 interop > s3rver > ${step.name}`, { timeout: 120_000, ...(step.s3rverLacks !== undefined && { skip: step.s3rverLacks }) }, () => step.run(context));
  }
});
