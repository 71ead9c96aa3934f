/**
 * The container image built and run by a real engine (podman or docker): it comes up healthy as
 * a user that is not root under tini, keeps its records in the volume across a `kill -9` and an
 * immediate restart, refuses a second container on the same volume, and stops with exit code 0
 * on `stop` (SIGTERM). Skipped, with the reason, where no engine can run a container or the base
 * image cannot be had.
 *
 * Knobs for engines that need them: TRIBUTARY_CONTAINER_ENGINE (podman or docker; else the first
 * on PATH), TRIBUTARY_CONTAINER_ENGINE_ARGS (e.g. "--runtime runc" where crun cannot run),
 * TRIBUTARY_CONTAINER_BASE (the Dockerfile's NODE_IMAGE; default node:20-bookworm-slim).
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { repoRoot } from "../cli/cli-process.js";
import { freePort } from "../cli/process-group.js";
import { waitFor } from "../helpers/wait.js";
import { jsonCall } from "../helpers/raw.js";

const run = promisify(execFile);
const engine = process.env.TRIBUTARY_CONTAINER_ENGINE ?? ["podman", "docker"].find((name) => spawnSync(name, ["--version"]).status === 0);
const engineArgs = (process.env.TRIBUTARY_CONTAINER_ENGINE_ARGS ?? "").split(" ").filter((arg) => arg !== "");
const baseImage = process.env.TRIBUTARY_CONTAINER_BASE ?? "node:20-bookworm-slim";
const tag = `localhost/tributary-server:test-${process.pid}`;
const container = `tributary-test-${process.pid}`;
const volume = `tributary-test-data-${process.pid}`;

function engineSync(args: string[], timeoutMs = 120_000) {
  return spawnSync(engine!, [...engineArgs, ...args], { encoding: "utf8", timeout: timeoutMs });
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/** Why the test cannot run here, or undefined when it can. */
function unavailable(): string | undefined {
  if (engine === undefined) return "no container engine (podman or docker) on PATH";
  const present = engineSync(["image", "inspect", baseImage]);
  if (present.status !== 0) {
    const pulled = engineSync(["pull", baseImage], 180_000);
    if (pulled.status !== 0) return `the base image ${baseImage} is not here and cannot be pulled: ${lastLine(pulled.stderr)}`;
  }
  const trial = engineSync(["run", "--rm", "--network", "host", baseImage, "true"]);
  if (trial.status !== 0) return `${engine} cannot run a container here: ${lastLine(trial.stderr)}`;
  return undefined;
}

const skipReason = unavailable();

async function engineRun(args: string[], timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run(engine!, [...engineArgs, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

after(() => {
  if (skipReason !== undefined) return;
  engineSync(["rm", "-f", container]);
  engineSync(["volume", "rm", "-f", volume]);
  engineSync(["rmi", "-f", tag]);
});

describe("container > image", { skip: skipReason ?? false }, () => {
  it("container > image > builds, runs healthy as non-root under tini, survives kill -9 with its volume, refuses a second server, stops with 0 on SIGTERM", { timeout: 900_000 }, async () => {
    await engineRun(["build", "--format", "docker", "--network", "host", "--build-arg", `NODE_IMAGE=${baseImage}`, "-t", tag, repoRoot].filter((arg) => engine === "podman" || arg !== "--format" && arg !== "docker"), 600_000);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const healthy = () => waitFor("the container answers /health", async () => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200, 60_000);
    await engineRun(["run", "-d", "--name", container, "--network", "host", "-e", `TRIBUTARY_PORT=${port}`, "-e", "TRIBUTARY_CREATE_STREAM_MS=0", "-v", `${volume}:/data`, tag]);
    await healthy();

    assert.equal(await engineRun(["exec", container, "id", "-u"]), "1000");
    assert.equal(await engineRun(["exec", container, "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline"]), "/usr/bin/tini -- tributary server");
    if (engine === "podman") await engineRun(["healthcheck", "run", container]);

    const put = async (data: string) => {
      const response = await jsonCall(url, "PutRecord", { StreamName: "boxed", PartitionKey: "k", Data: Buffer.from(data).toString("base64") });
      assert.equal(response.statusCode, 200, JSON.stringify(response.body));
    };
    assert.equal((await jsonCall(url, "CreateStream", { StreamName: "boxed", ShardCount: 1 })).statusCode, 200);
    await waitFor("the stream is ACTIVE", async () => (await jsonCall(url, "DescribeStreamSummary", { StreamName: "boxed" })).body.StreamDescriptionSummary?.StreamStatus === "ACTIVE");
    await put("before the crash");

    // A crash and the supervisor's immediate restart, on the same volume.
    await engineRun(["kill", "-s", "KILL", container]);
    await engineRun(["start", container]);
    await healthy();
    await put("after the restart");
    const iterator = (await jsonCall(url, "GetShardIterator", { StreamName: "boxed", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" })).body.ShardIterator;
    const records = (await jsonCall(url, "GetRecords", { ShardIterator: iterator })).body.Records as { Data: string }[];
    assert.deepEqual(records.map((record) => Buffer.from(record.Data, "base64").toString()), ["before the crash", "after the restart"]);

    // A second container on the volume, with a network of its own: refused through /data/lock.
    const second = spawnSync(engine!, [...engineArgs, "run", "--rm", "--network", "none", "-v", `${volume}:/data`, tag], { encoding: "utf8", timeout: 60_000 });
    assert.equal(second.status, 2, second.stderr);
    assert.match(second.stderr, /^tributary: \/data is in use by another Tributary server \(pid \d+ in another PID namespace, in another network namespace\)$/m);

    const stoppedAt = performance.now();
    await engineRun(["stop", "-t", "30", container]);
    assert.ok(performance.now() - stoppedAt < 15_000, "stopped well before the engine's SIGKILL");
    assert.equal(await engineRun(["inspect", container, "--format", "{{.State.ExitCode}}"]), "0");
  });
});
