/**
 * s3rver (npm), the independent S3 implementation the client scenario is cross-checked against
 * (test/e2e/s3-interop.test.ts), on port 0 with a fresh temporary directory, removed on stop.
 *
 * It runs as a child process of its own rather than in this one: s3rver 3.7.1 makes its
 * ListObjectsV2 continuation tokens with DES, which Node 17+ (OpenSSL 3) only offers with
 * `--openssl-legacy-provider` — in process, every truncated ListObjectsV2 answers InternalError.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface S3rverServer {
  url: string;
  region: string;
  /** s3rver checks SigV4 signatures against its one built-in account. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  directory: string;
  stop(): Promise<void>;
}

const readyTimeoutMs = 30_000;

export async function startS3rver(): Promise<S3rverServer> {
  const packageJson = createRequire(import.meta.url).resolve("s3rver/package.json");
  const bin = join(dirname(packageJson), "bin", "s3rver.js");
  const directory = mkdtempSync(join(tmpdir(), "tributary-s3rver-"));
  // Path style only (--no-vhost-buckets): virtual hosts are tested against Tributary alone.
  const child = spawn(process.execPath, ["--openssl-legacy-provider", bin, "-d", directory, "-a", "127.0.0.1", "-p", "0", "--silent", "--no-vhost-buckets"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`s3rver printed no address within ${readyTimeoutMs} ms:\n${output}`));
    }, readyTimeoutMs);
    const onData = () => {
      const match = /S3rver listening on [\d.]+:(\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off("data", onData);
      resolve(Number(match[1]));
    };
    child.stdout.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited before it listened:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    // s3rver answers GetBucketLocation with no LocationConstraint, which is us-east-1's answer.
    region: "us-east-1",
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    directory,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
