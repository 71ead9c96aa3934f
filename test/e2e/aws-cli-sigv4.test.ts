/**
 * The AWS CLI v2 against a server in `--auth sigv4` mode, changed only by --endpoint-url and the
 * credentials in its environment: botocore's own SigV4 signer (an implementation independent of
 * the JS SDK's) creates, writes, reads and deletes a stream; temporary credentials work with
 * their session token; a wrong secret, an unknown key and a stale token are refused with AWS's
 * errors as the CLI reports them.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { awsClientEnv, awsCliPath, requireAwsCliV2, run, type ProcessResult } from "./external-clients.js";
import { CredentialsDir, credentialsEntry } from "../auth/sigv4-helpers.js";

const alice = { accessKeyId: "AKIACLIEXAMPLE000001", secretAccessKey: "cli/secret/wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const temporary = { accessKeyId: "ASIACLIEXAMPLE000001", secretAccessKey: "cli/temporary/secret/EXAMPLEKEY", sessionToken: "cli/session/token/EXAMPLE==" };

let server: TestServer;
let credentials: CredentialsDir;
const streamName = `aws-cli-sigv4-${process.pid}`;

before(async () => {
  await requireAwsCliV2();
  credentials = new CredentialsDir();
  credentials.write([credentialsEntry("cli", alice), credentialsEntry("temporary", temporary)]);
  server = await startTestServer({ credentialsFile: credentials.path, streams: { createStreamMs: 200, deleteStreamMs: 200 } });
});

after(async () => {
  await server?.stop();
  credentials?.remove();
});

function envFor(as: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): NodeJS.ProcessEnv {
  return {
    ...awsClientEnv(server.region),
    AWS_ACCESS_KEY_ID: as.accessKeyId,
    AWS_SECRET_ACCESS_KEY: as.secretAccessKey,
    ...(as.sessionToken !== undefined && { AWS_SESSION_TOKEN: as.sessionToken }),
  };
}

function awsRaw(as: Parameters<typeof envFor>[0], args: readonly string[]): Promise<ProcessResult> {
  // No retries: a refused call should fail once, not after botocore's backoff.
  return run(awsCliPath, ["--endpoint-url", server.url, "--output", "json", "kinesis", ...args], { ...envFor(as), AWS_MAX_ATTEMPTS: "1" });
}

async function aws(...args: string[]): Promise<any> {
  const result = await awsRaw(alice, args);
  assert.equal(result.code, 0, `aws kinesis ${args.join(" ")} failed:\n${result.stderr}`);
  return result.stdout.trim() === "" ? undefined : JSON.parse(result.stdout);
}

describe("e2e > aws cli > sigv4", () => {
  it("e2e > aws cli > sigv4 > a stream's lifecycle with signed calls", async () => {
    await aws("create-stream", "--stream-name", streamName, "--shard-count", "1");
    await aws("wait", "stream-exists", "--stream-name", streamName);
    const put = await aws("put-record", "--stream-name", streamName, "--partition-key", "k", "--data", "signed", "--cli-binary-format", "raw-in-base64-out");
    const records = JSON.stringify([{ Data: "two", PartitionKey: "k" }, { Data: "three", PartitionKey: "k" }]);
    const batch = await aws("put-records", "--stream-name", streamName, "--records", records, "--cli-binary-format", "raw-in-base64-out");
    assert.equal(batch.FailedRecordCount ?? 0, 0);
    const iterator = await aws("get-shard-iterator", "--stream-name", streamName, "--shard-id", put.ShardId, "--shard-iterator-type", "TRIM_HORIZON");
    const read = await aws("get-records", "--shard-iterator", iterator.ShardIterator);
    assert.deepEqual(
      read.Records.map((record: { Data: string }) => Buffer.from(record.Data, "base64").toString()),
      ["signed", "two", "three"],
    );
    const listed = await aws("list-streams");
    assert.ok(listed.StreamNames.includes(streamName));
    await aws("delete-stream", "--stream-name", streamName);
    await aws("wait", "stream-not-exists", "--stream-name", streamName);
  });

  it("e2e > aws cli > sigv4 > temporary credentials work with AWS_SESSION_TOKEN", async () => {
    const result = await awsRaw(temporary, ["list-streams"]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Array.isArray(JSON.parse(result.stdout).StreamNames));
  });

  for (const [name, as, expected] of [
    ["a wrong secret", { ...alice, secretAccessKey: "not-the-secret" }, "An error occurred (InvalidSignatureException) when calling the ListStreams operation (reached max retries: 0): The request signature we calculated does not match the signature you provided."],
    ["an unknown access key", { ...alice, accessKeyId: "AKIANOBODYEXAMPLE001" }, "An error occurred (UnrecognizedClientException) when calling the ListStreams operation (reached max retries: 0): The security token included in the request is invalid."],
    ["a wrong session token", { ...temporary, sessionToken: "stale-token" }, "An error occurred (UnrecognizedClientException) when calling the ListStreams operation (reached max retries: 0): The security token included in the request is invalid."],
  ] as const) {
    it(`e2e > aws cli > sigv4 > ${name} is refused`, async () => {
      const result = await awsRaw(as, ["list-streams"]);
      assert.equal(result.code, 254, result.stderr);
      assert.ok(result.stderr.includes(expected), result.stderr);
      assert.ok(!result.stderr.includes(alice.secretAccessKey));
    });
  }
});
