/**
 * The DynamoDB endpoints the lease tests run against: Tributary's own lease-table subset, and
 * dynalite (an independent DynamoDB implementation, written against AWS) so the lease code is not
 * tuned to our subset.
 */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { exampleCredentials, startTestServer } from "../helpers/server.js";

export interface LeaseEndpoint {
  name: string;
  start(): Promise<RunningLeaseEndpoint>;
}

export interface RunningLeaseEndpoint {
  /** A new client for this endpoint; the caller destroys it. */
  client(): DynamoDBClient;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const dynalite = require("dynalite") as (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

export function leaseEndpoints(): LeaseEndpoint[] {
  return [
    {
      name: "tributary",
      async start() {
        const server = await startTestServer();
        return {
          client: () => new DynamoDBClient({ endpoint: server.url, region: server.region, credentials: exampleCredentials }),
          stop: () => server.stop(),
        };
      },
    },
    {
      name: "dynalite",
      async start() {
        const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        return {
          client: () => new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", credentials: exampleCredentials }),
          stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
        };
      },
    },
  ];
}

let tableCounter = 0;
/** A lease table name unique to this process run. */
export function randomTableName(prefix = "leases"): string {
  tableCounter++;
  return `${prefix}-${process.pid}-${tableCounter}`;
}
