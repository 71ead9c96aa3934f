/**
 * The AWS CLI v2 (/usr/bin/aws, Debian's awscli) against Tributary's S3, changed only by
 * --endpoint-url: `aws s3` mb, cp up and down (1 KiB, and 64 MiB which the CLI sends as a
 * multipart upload of 8 MiB parts), cp --recursive, ls, sync, rm --recursive, rb; `aws s3api`
 * for ranges, metadata, tagging, copy; `aws s3 presign` fetched without the CLI.
 *
 * The steps share one bucket and run in order. The CLI runs with dummy credentials, us-east-1,
 * and a HOME and config paths of its own, so nothing of the user's AWS setup leaks in.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { md5Hex, multipartEtag, sha256Hex } from "../helpers/s3-scenario.js";
import { awsClientEnv, awsCliPath, requireAwsCliV2, run, type ProcessResult } from "./external-clients.js";

const MiB = 1024 * 1024;
/** The CLI's defaults (multipart_threshold and multipart_chunksize, `aws help topics s3-config`). */
const cliChunkBytes = 8 * MiB;
const bucket = `cli-bucket-${process.pid}`;

let server: TestServer;
let work: string;
let env: NodeJS.ProcessEnv;

async function aws(...args: string[]): Promise<ProcessResult> {
  return run(awsCliPath, [...args, "--endpoint-url", server.url], env, 300_000);
}

/** Runs the CLI and insists on success; the output on failure names what the server said. */
async function awsOk(...args: string[]): Promise<string> {
  const result = await aws(...args);
  assert.equal(result.code, 0, `aws ${args.join(" ")} failed (${result.code}):\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

async function awsJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await awsOk(...args, "--output", "json")) as T;
}

function filesUnder(directory: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[relative(directory, full)] = sha256Hex(readFileSync(full));
    }
  };
  walk(directory);
  return out;
}

before(async () => {
  await requireAwsCliV2();
  server = await startTestServer();
  work = mkdtempSync(join(tmpdir(), "tributary-s3-cli-"));
  mkdirSync(join(work, "home"));
  env = { ...awsClientEnv("us-east-1"), HOME: join(work, "home") };
  writeFileSync(join(work, "small.bin"), randomBytes(1024));
  writeFileSync(join(work, "big.bin"), randomBytes(64 * MiB));
  for (const [path, content] of [["tree/a.txt", "alpha\n"], ["tree/sub/b.txt", "bravo\n"], ["tree/sub/deeper/c.txt", "charlie\n"]] as const) {
    mkdirSync(join(work, path, ".."), { recursive: true });
    writeFileSync(join(work, path), content);
  }
});

after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("e2e > s3 > aws cli v2", () => {
  it("e2e > s3 > aws cli > s3 mb, and ls lists the bucket", async () => {
    assert.match(await awsOk("s3", "mb", `s3://${bucket}`), new RegExp(`make_bucket: ${bucket}`));
    assert.match(await awsOk("s3", "ls"), new RegExp(`\\s${bucket}$`, "m"));
  });

  it("e2e > s3 > aws cli > s3 cp up and down a 1 KiB file", async () => {
    await awsOk("s3", "cp", join(work, "small.bin"), `s3://${bucket}/files/small.bin`);
    await awsOk("s3", "cp", `s3://${bucket}/files/small.bin`, join(work, "small.down"));
    assert.equal(sha256Hex(readFileSync(join(work, "small.down"))), sha256Hex(readFileSync(join(work, "small.bin"))));
    const head = await awsJson<{ ETag: string; ContentLength: number }>("s3api", "head-object", "--bucket", bucket, "--key", "files/small.bin");
    assert.equal(head.ETag, `"${md5Hex(readFileSync(join(work, "small.bin")))}"`);
    assert.equal(head.ContentLength, 1024);
  });

  it("e2e > s3 > aws cli > s3 cp up and down a 64 MiB file, uploaded in 8 parts", { timeout: 300_000 }, async () => {
    const big = readFileSync(join(work, "big.bin"));
    await awsOk("s3", "cp", join(work, "big.bin"), `s3://${bucket}/files/big.bin`);
    const head = await awsJson<{ ETag: string; ContentLength: number }>("s3api", "head-object", "--bucket", bucket, "--key", "files/big.bin");
    const parts = Array.from({ length: big.length / cliChunkBytes }, (_, i) => big.subarray(i * cliChunkBytes, (i + 1) * cliChunkBytes));
    assert.equal(head.ETag, multipartEtag(parts), "the multipart ETag: MD5 of the 8 part MD5s, -8");
    assert.equal(head.ContentLength, 64 * MiB);
    await awsOk("s3", "cp", `s3://${bucket}/files/big.bin`, join(work, "big.down"));
    assert.equal(sha256Hex(readFileSync(join(work, "big.down"))), sha256Hex(big));
  });

  it("e2e > s3 > aws cli > s3 cp --recursive of nested directories, and ls with prefixes and --recursive", async () => {
    await awsOk("s3", "cp", "--recursive", join(work, "tree"), `s3://${bucket}/tree/`);
    const top = await awsOk("s3", "ls", `s3://${bucket}/tree/`);
    assert.match(top, /^\s+PRE sub\/$/m);
    assert.match(top, /^\S+ \S+\s+6 a\.txt$/m);
    assert.match(await awsOk("s3", "ls", `s3://${bucket}/tr`), /^\s+PRE tree\/$/m);
    const recursive = await awsOk("s3", "ls", "--recursive", `s3://${bucket}/tree/`);
    const keys = recursive.trim().split("\n").map((line) => line.trim().split(/\s+/).at(-1));
    assert.deepEqual(keys, ["tree/a.txt", "tree/sub/b.txt", "tree/sub/deeper/c.txt"]);
    await awsOk("s3", "cp", "--recursive", `s3://${bucket}/tree/`, join(work, "tree.down"));
    assert.deepEqual(filesUnder(join(work, "tree.down")), filesUnder(join(work, "tree")));
  });

  it("e2e > s3 > aws cli > s3 sync uploads everything once, then nothing, then only what changed; and syncs back down", async () => {
    const first = await awsOk("s3", "sync", join(work, "tree"), `s3://${bucket}/synced/`);
    assert.equal(first.match(/^upload: /gm)?.length, 3, `first sync:\n${first}`);
    const second = await awsOk("s3", "sync", join(work, "tree"), `s3://${bucket}/synced/`);
    assert.equal(second.trim(), "", "the second sync copies nothing");
    writeFileSync(join(work, "tree/sub/b.txt"), "bravo, changed in size\n");
    const third = await awsOk("s3", "sync", join(work, "tree"), `s3://${bucket}/synced/`);
    assert.deepEqual(third.match(/^upload: .*$/gm)?.map((line) => line.endsWith(`s3://${bucket}/synced/sub/b.txt`)), [true], `third sync:\n${third}`);
    await awsOk("s3", "sync", `s3://${bucket}/synced/`, join(work, "synced.down"));
    assert.deepEqual(filesUnder(join(work, "synced.down")), filesUnder(join(work, "tree")));
  });

  it("e2e > s3 > aws cli > s3api get-object --range", async () => {
    const out = await awsJson<{ ContentRange: string; ContentLength: number }>("s3api", "get-object", "--bucket", bucket, "--key", "files/small.bin", "--range", "bytes=100-199", join(work, "range.bin"));
    assert.equal(out.ContentRange, "bytes 100-199/1024");
    assert.equal(out.ContentLength, 100);
    assert.deepEqual(readFileSync(join(work, "range.bin")), readFileSync(join(work, "small.bin")).subarray(100, 200));
  });

  it("e2e > s3 > aws cli > s3api put-object with metadata and content headers, head-object returns them", async () => {
    await awsOk("s3api", "put-object", "--bucket", bucket, "--key", "meta.txt", "--body", join(work, "tree/a.txt"), "--content-type", "text/plain", "--cache-control", "max-age=30", "--content-disposition", "inline", "--metadata", "Owner=ops,purpose=test");
    const head = await awsJson<{ ContentType: string; CacheControl: string; ContentDisposition: string; Metadata: Record<string, string> }>("s3api", "head-object", "--bucket", bucket, "--key", "meta.txt");
    assert.equal(head.ContentType, "text/plain");
    assert.equal(head.CacheControl, "max-age=30");
    assert.equal(head.ContentDisposition, "inline");
    assert.deepEqual(head.Metadata, { owner: "ops", purpose: "test" });
  });

  it("e2e > s3 > aws cli > s3api put-object-tagging and get-object-tagging", async () => {
    await awsOk("s3api", "put-object-tagging", "--bucket", bucket, "--key", "meta.txt", "--tagging", "TagSet=[{Key=team,Value=data},{Key=tier,Value=hot}]");
    const tags = await awsJson<{ TagSet: { Key: string; Value: string }[] }>("s3api", "get-object-tagging", "--bucket", bucket, "--key", "meta.txt");
    assert.deepEqual([...tags.TagSet].sort((a, b) => a.Key.localeCompare(b.Key)), [{ Key: "team", Value: "data" }, { Key: "tier", Value: "hot" }]);
  });

  it("e2e > s3 > aws cli > s3api copy-object", async () => {
    const copied = await awsJson<{ CopyObjectResult: { ETag: string } }>("s3api", "copy-object", "--bucket", bucket, "--key", "files/copy.bin", "--copy-source", `${bucket}/files/small.bin`);
    assert.equal(copied.CopyObjectResult.ETag, `"${md5Hex(readFileSync(join(work, "small.bin")))}"`);
    await awsOk("s3", "cp", `s3://${bucket}/files/copy.bin`, join(work, "copy.down"));
    assert.deepEqual(readFileSync(join(work, "copy.down")), readFileSync(join(work, "small.bin")));
  });

  it("e2e > s3 > aws cli > s3 presign, fetched without the CLI", async () => {
    const url = (await awsOk("s3", "presign", `s3://${bucket}/files/small.bin`, "--expires-in", "300")).trim();
    assert.match(url, /X-Amz-Signature=/);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), readFileSync(join(work, "small.bin")));
  });

  it("e2e > s3 > aws cli > s3 rb refuses a bucket that is not empty, rm --recursive empties it, rb removes it", async () => {
    const refused = await aws("s3", "rb", `s3://${bucket}`);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /BucketNotEmpty/);
    const removed = await awsOk("s3", "rm", "--recursive", `s3://${bucket}`);
    assert.equal(removed.match(/^delete: /gm)?.length, 10, `rm --recursive:\n${removed}`);
    assert.equal((await awsOk("s3", "ls", "--recursive", `s3://${bucket}`)).trim(), "");
    assert.match(await awsOk("s3", "rb", `s3://${bucket}`), new RegExp(`remove_bucket: ${bucket}`));
    const gone = await aws("s3api", "head-bucket", "--bucket", bucket);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /404/);
  });
});
