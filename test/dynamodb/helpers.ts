/**
 * Endpoints for the DynamoDB tests: Tributary (startTestServer) and dynalite, an independent
 * DynamoDB written against AWS, so one behaviour suite runs against both.
 */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startTestServer, exampleCredentials, type TestServerOptions } from "../helpers/server.js";
import { rawRequest, type RawResponse } from "../helpers/raw.js";

export interface DynamoEndpoint {
  name: string;
  url: string;
  stop(): Promise<void>;
}

export async function startTributary(options: TestServerOptions = {}): Promise<DynamoEndpoint> {
  const server = await startTestServer(options);
  return { name: "tributary", url: server.url, stop: () => server.stop() };
}

export async function startDynalite(): Promise<DynamoEndpoint> {
  const require = createRequire(import.meta.url);
  const dynalite = require("dynalite") as (options: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { name: "dynalite", url: `http://127.0.0.1:${port}`, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

export function dynamoClient(endpoint: DynamoEndpoint): DynamoDBClient {
  return new DynamoDBClient({ endpoint: endpoint.url, region: "us-east-1", credentials: exampleCredentials, maxAttempts: 1 });
}

/** A raw awsJson1_0 call (signed-looking, for dynalite, which wants an Authorization header). */
export function dynamoCall(url: string, action: string, body: unknown): Promise<RawResponse> {
  return rawRequest(url, typeof body === "string" ? body : JSON.stringify(body), {
    target: `DynamoDB_20120810.${action}`,
    contentType: "application/x-amz-json-1.0",
    headers: {
      authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc",
      "x-amz-date": "20240101T000000Z",
    },
  });
}

let counter = 0;
export function tableName(prefix = "leases"): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}`;
}
