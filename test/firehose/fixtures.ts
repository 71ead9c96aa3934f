/** A test server with Firehose (short CREATING) and the SDK client for it. */
import { FirehoseClient, DescribeDeliveryStreamCommand } from "@aws-sdk/client-firehose";
import { S3Client } from "@aws-sdk/client-s3";
import { startTestServer, exampleCredentials, type TestServer, type TestServerOptions } from "../helpers/server.js";
import { services } from "../../src/server/services.js";
import { firehoseServiceModuleWith, type FirehoseOptions } from "../../src/firehose/index.js";

export async function startFirehoseServer(options: TestServerOptions & { firehose?: Partial<FirehoseOptions> } = {}): Promise<TestServer> {
  const firehose = firehoseServiceModuleWith({ createDelayMs: 0, ...options.firehose });
  return startTestServer({ ...options, services: services.map((module) => (module.name === "firehose" ? firehose : module)) });
}

export function firehoseClient(server: TestServer): FirehoseClient {
  return new FirehoseClient({ endpoint: server.url, region: server.region, credentials: exampleCredentials, maxAttempts: 1 });
}

export function s3Client(server: TestServer): S3Client {
  return new S3Client({ endpoint: server.url, region: server.region, credentials: exampleCredentials, forcePathStyle: true });
}

export const roleArn = "arn:aws:iam::000000000000:role/firehose-role";

export async function waitActive(client: FirehoseClient, name: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const described = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
    if (described.DeliveryStreamDescription?.DeliveryStreamStatus === "ACTIVE") return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`${name} never became ACTIVE`);
}

/** The error a call rejects with: its name and message. */
export async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, message: failure.message, status: failure.$metadata?.httpStatusCode };
  }
  throw new Error("the call succeeded");
}
