/**
 * The condition keys the connection gives (aws:SourceIp, aws:SecureTransport), through a server
 * in `--auth sigv4` mode that serves plain HTTP and TLS on one port, with the AWS SDK: policies
 * conditioned on them allow and deny as written, over http and over https.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { loadOrCreateSelfSigned } from "../../src/server/tls-self-signed.js";
import type { TlsMaterial } from "../../src/server/tls-certificate.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { CredentialsDir } from "./sigv4-helpers.js";
import type { RunningApp } from "../../src/server/app.js";
import { startTestServer, type TestCredentials } from "../helpers/server.js";

const accountId = "111122223333";
const region = "us-east-1";
const accountResource = `arn:aws:kinesis:${region}:${accountId}:*`;

const allowAllIf = (condition: Record<string, Record<string, string>>) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "kinesis:*", Resource: "*", Condition: condition }],
});

/** One key per policy; the name says what it allows. */
const principals: Record<string, unknown[]> = {
  loopback: [allowAllIf({ IpAddress: { "aws:SourceIp": "127.0.0.0/8" } })],
  elsewhere: [allowAllIf({ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } })],
  notLoopback: [allowAllIf({ NotIpAddress: { "aws:SourceIp": "127.0.0.1/32" } })],
  tlsOnly: [
    { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kinesis:*", Resource: "*" }] },
    { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "kinesis:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] },
  ],
  plainOnly: [allowAllIf({ Bool: { "aws:SecureTransport": "false" } })],
};

const keyOf = (name: string): TestCredentials => ({
  accessKeyId: `AKIA${name.toUpperCase().padEnd(16, "0")}`.slice(0, 20),
  secretAccessKey: `${name}/secret/K7MDENG+bPxRfiCYEXAMPLEKEY`,
});
const arnOf = (name: string) => `arn:aws:iam::${accountId}:user/${name}`;

let dataDir: string;
let credentials: CredentialsDir;
let material: TlsMaterial;
let app: RunningApp;
const clients: KinesisClient[] = [];

function client(name: string, transport: "http" | "https"): KinesisClient {
  const made =
    transport === "http"
      ? new KinesisClient({ endpoint: app.url, region, credentials: keyOf(name) })
      : new KinesisClient({ endpoint: app.tlsUrl!, region, credentials: keyOf(name), requestHandler: { nodeHttp2ConnectOptions: { ca: material.cert } } });
  clients.push(made);
  return made;
}

/** "allowed", or the AccessDeniedException's message. */
async function listStreams(name: string, transport: "http" | "https"): Promise<string> {
  try {
    await client(name, transport).send(new ListStreamsCommand({}));
    return "allowed";
  } catch (error) {
    assert.equal((error as Error).name, "AccessDeniedException");
    return (error as Error).message;
  }
}

const implicitDeny = (name: string) =>
  `User: ${arnOf(name)} is not authorized to perform: kinesis:ListStreams on resource: ${accountResource} because no identity-based policy allows the kinesis:ListStreams action`;
const explicitDeny = (name: string) =>
  `User: ${arnOf(name)} is not authorized to perform: kinesis:ListStreams on resource: ${accountResource} with an explicit deny in an identity-based policy`;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tributary-conditions-"));
  credentials = new CredentialsDir();
  credentials.write(Object.entries(principals).map(([name, policies]) => ({ ...keyOf(name), accountId, principalArn: arnOf(name), policies })));
  material = await loadOrCreateSelfSigned({ dataDir, host: "127.0.0.1", clock: systemClock, random: systemRandom, logger: silentLogger });
  app = (await startTestServer({ tls: material, credentialsFile: credentials.path })).app!;
});

after(async () => {
  for (const made of clients) made.destroy();
  await app.stop();
  credentials.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("auth > conditions > connection", () => {
  it("auth > conditions > aws:SourceIp is the client's address", async () => {
    assert.equal(await listStreams("loopback", "http"), "allowed");
    assert.equal(await listStreams("loopback", "https"), "allowed");
    assert.equal(await listStreams("elsewhere", "http"), implicitDeny("elsewhere"));
    assert.equal(await listStreams("notLoopback", "https"), implicitDeny("notLoopback"));
  });

  it("auth > conditions > aws:SecureTransport is true over TLS and false in the clear", async () => {
    assert.equal(await listStreams("tlsOnly", "https"), "allowed");
    assert.equal(await listStreams("tlsOnly", "http"), explicitDeny("tlsOnly"));
    assert.equal(await listStreams("plainOnly", "http"), "allowed");
    assert.equal(await listStreams("plainOnly", "https"), implicitDeny("plainOnly"));
  });
});
