/**
 * The core S3 actions and their error codes through boto3 (Debian's python3-boto3), changed only
 * by endpoint_url and path-style addressing, including upload_file / download_file of a 20 MiB
 * file that boto3's transfer manager sends in parts. The scenario is
 * test/e2e/fixtures/s3-boto3-scenario.py: it checks each step itself and prints a summary, which
 * is checked again here.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { awsClientEnv, pythonPath, requireBoto3, run } from "./external-clients.js";

const scenario = fileURLToPath(new URL("./fixtures/s3-boto3-scenario.py", import.meta.url));
let server: TestServer;
let work: string;

before(async () => {
  await requireBoto3();
  // us-east-1: the scenario checks S3's legacy 200 for re-creating an own bucket there.
  server = await startTestServer({ streams: { region: "us-east-1" } });
  work = mkdtempSync(join(tmpdir(), "tributary-s3-boto3-"));
});

after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("e2e > s3 > boto3", () => {
  it("e2e > s3 > boto3 > buckets, objects, ranges, conditions, copy, tagging, listing, multipart, transfer manager, presigned urls, errors", { timeout: 300_000 }, async () => {
    const prefix = `boto3-${process.pid}`;
    const result = await run(pythonPath, [scenario, server.url, prefix, work], { ...awsClientEnv("us-east-1"), HOME: work }, 300_000);
    assert.equal(result.code, 0, `boto3 scenario failed:\n${result.stderr}`);
    const summary = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { multipartEtag: string; transferEtag: string; deletedKeys: string[] };
    assert.match(summary.multipartEtag, /^"[0-9a-f]{32}-4"$/);
    assert.match(summary.transferEtag, /^"[0-9a-f]{32}-3"$/);
    assert.deepEqual(summary.deletedKeys, [
      "docs/hello.txt",
      "docs/presigned.bin",
      "docs/replaced.txt",
      "list/a/1",
      "list/a/2",
      "list/b/1",
      "list/c",
      "multi/object.bin",
      "transfer/twenty.bin",
    ]);
  });
});
