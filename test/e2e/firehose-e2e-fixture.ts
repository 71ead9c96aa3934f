/**
 * What the Firehose end-to-end tests share (test/e2e/firehose-*.test.ts): a server with Firehose,
 * the AWS CLI v2 and boto3 pointed at it (dummy credentials and region, nothing read from the
 * machine's AWS files), and reading delivered objects back from the built-in S3 store.
 */
import assert from "node:assert/strict";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { DescribeDeliveryStreamCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import type { TestServer } from "../helpers/server.js";
import { waitFor } from "../helpers/wait.js";
import { awsCliPath, awsClientEnv, pythonPath, run, type ProcessResult } from "./external-clients.js";

export { firehoseClient, s3Client, roleArn, startFirehoseServer } from "../firehose/fixtures.js";

/** Runs `aws <args>` against the server; the exit code and output as they are. */
export function awsCli(server: TestServer, args: readonly string[]): Promise<ProcessResult> {
  return run(awsCliPath, ["--endpoint-url", server.url, "--output", "json", ...args], awsClientEnv(server.region));
}

/** Runs `aws <args>`, which must succeed; its JSON answer (or {} for none). */
export async function awsCliJson<T = any>(server: TestServer, args: readonly string[]): Promise<T> {
  const result = await awsCli(server, args);
  assert.equal(result.code, 0, `aws ${args.join(" ")} failed: ${result.stderr}`);
  return (result.stdout.trim() === "" ? {} : JSON.parse(result.stdout)) as T;
}

/** The error the AWS CLI printed for a failed call: `An error occurred (<code>) when calling the <operation> operation: <message>`. */
export async function awsCliError(server: TestServer, args: readonly string[]): Promise<{ code: string; operation: string; message: string }> {
  const result = await awsCli(server, args);
  assert.notEqual(result.code, 0, `aws ${args.join(" ")} succeeded: ${result.stdout}`);
  const match = /An error occurred \(([^)]+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.*)$/m.exec(result.stderr);
  assert.ok(match, `not a service error: ${result.stderr}`);
  return { code: match[1]!, operation: match[2]!, message: match[3]!.trim() };
}

/**
 * Runs a Python script with boto3 clients `firehose`, `s3`, `kinesis` and `glue` for the server
 * (retries off, so an error is the server's first answer); `INPUT` holds `input`, and whatever
 * the script assigns to `OUTPUT` comes back as JSON (bytes as base64, datetimes as ISO text).
 * An uncaught botocore ClientError comes back as `{"error": {"Code", "Message", "HTTPStatusCode"}}`.
 */
export async function boto3<T = any>(server: TestServer, script: string, input: unknown = null): Promise<T> {
  const program = `
import base64, datetime, json, sys
import boto3, botocore
from botocore.config import Config
INPUT = json.loads(sys.argv[1])
def client(name, **options):
    return boto3.client(name, endpoint_url=sys.argv[2], config=Config(retries={"max_attempts": 1, "mode": "standard"}, **options))
firehose = client("firehose")
s3 = client("s3", s3={"addressing_style": "path"})
kinesis = client("kinesis")
unvalidated_firehose = client("firehose", parameter_validation=False)
def encode(value):
    if isinstance(value, (bytes, bytearray)): return base64.b64encode(value).decode()
    if isinstance(value, datetime.datetime): return value.isoformat()
    raise TypeError(repr(value))
OUTPUT = None
try:
${script.replace(/^\n+/, "").replace(/^/gm, "    ")}
except botocore.exceptions.ClientError as error:
    OUTPUT = {"error": {"Code": error.response["Error"]["Code"], "Message": error.response["Error"].get("Message"), "HTTPStatusCode": error.response["ResponseMetadata"]["HTTPStatusCode"]}}
print(json.dumps(OUTPUT, default=encode))
`;
  const result = await run(pythonPath, ["-c", program, JSON.stringify(input), server.url], awsClientEnv(server.region));
  assert.equal(result.code, 0, `python failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Polls DescribeDeliveryStream until the stream is ACTIVE. */
export async function waitActive(client: FirehoseClient, name: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(`${name} ACTIVE`, async () => (await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }))).DeliveryStreamDescription?.DeliveryStreamStatus === "ACTIVE", timeoutMs, 20);
}

/** Every key in a bucket under a prefix (a bucket that does not exist yet has none). */
export async function listKeys(s3: S3Client, bucket: string, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token !== undefined && { ContinuationToken: token }) }));
    } catch (error) {
      if ((error as Error).name === "NoSuchBucket") return [];
      throw error;
    }
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys.sort();
}

export async function getObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

/** Waits until `count(keys)` holds for the keys under a prefix; answers them. */
export async function waitForKeys(s3: S3Client, bucket: string, prefix: string, done: (keys: string[]) => boolean, timeoutMs = 20_000): Promise<string[]> {
  let keys: string[] = [];
  await waitFor(`objects under s3://${bucket}/${prefix}`, async () => done((keys = await listKeys(s3, bucket, prefix))), timeoutMs, 50);
  return keys;
}

/** Newline-delimited JSON documents, in order. */
export function jsonLines(text: string): any[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}
