/**
 * Fixtures shared by the stream-settings conformance files (UpdateStreamMode, warm throughput,
 * account settings, UpdateMaxRecordSize, enhanced monitoring, resource policies): ARNs, the
 * summary, the account's commitment, and a server on the embedded engine that can be restarted on
 * its data.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer, type TestServerOptions } from "../../helpers/server.js";
import { ok } from "../../helpers/wire-assert.js";

export function arnOf(server: TestServer, streamName: string): string {
  return `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${streamName}`;
}

export async function summaryOf(server: TestServer, streamName: string): Promise<any> {
  return (await ok(server, "DescribeStreamSummary", { StreamName: streamName })).StreamDescriptionSummary;
}

export async function setCommitment(server: TestServer, status: "ENABLED" | "DISABLED"): Promise<any> {
  return (await ok(server, "UpdateAccountSettings", { MinimumThroughputBillingCommitment: { Status: status } })).MinimumThroughputBillingCommitment;
}

export interface RestartableServer {
  current(): TestServer;
  /** Stops the server and starts another on the same data directory. */
  restart(): Promise<TestServer>;
  /** Stops the server and removes its data. */
  close(): Promise<void>;
}

/** A server on the embedded engine in a fresh data directory. */
export async function restartableServer(options: Omit<TestServerOptions, "dataDir" | "storage"> = {}): Promise<RestartableServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "tributary-settings-"));
  let server = await startTestServer({ ...options, dataDir });
  return {
    current: () => server,
    async restart() {
      await server.stop();
      server = await startTestServer({ ...options, dataDir });
      return server;
    },
    async close() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A resource policy document granting another account reads on `resourceArn`, spaced as a client might send it. */
export function policyFor(resourceArn: string, principalAccountId = "111122223333"): string {
  const document = {
    Version: "2012-10-17",
    Statement: [{ Sid: "read", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${principalAccountId}:root` }, Action: ["kinesis:GetRecords", "kinesis:DescribeStreamSummary"], Resource: resourceArn }],
  };
  return JSON.stringify(document, null, 2);
}

export function consumerArnOf(server: TestServer, streamName: string, consumerName: string): string {
  return `${arnOf(server, streamName)}/consumer/${consumerName}:1700000000`;
}
