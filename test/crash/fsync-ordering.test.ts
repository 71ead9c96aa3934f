/**
 * kill -9 cannot tell the page cache from the disk, so this proves the other half of durability
 * through the real server: under `--fsync always` no PutRecord(s) answer leaves the process before
 * the sync that covers its records — an fdatasync, or the write itself when it went through a
 * descriptor opened with O_DSYNC (which the engine uses for segments under `always`). The server runs under strace; several clients write
 * concurrently (one request at a time per connection, partition keys carrying a per-request
 * marker); afterwards test/crash/syscall-trace.ts follows every request from its socket read to
 * its segment writes, their fdatasync and the answer's socket write.
 *
 * The same run under `--fsync interval` (which answers before syncing) must be caught by the
 * same check — otherwise the check would prove nothing.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as http from "node:http";
import { repoRoot } from "../cli/cli-process.js";
import { checkAckAfterFsync, parseTrace, type OrderingReport } from "./syscall-trace.js";

const clients = 4;
const requestsPerClient = 25;
const streamName = "fsync-trace";

interface Traced {
  url: string;
  stop(): Promise<void>;
}

/** Starts `tributary server` under strace; the trace is complete once stop() resolves. */
async function startTraced(fsync: string, dataDir: string, tracePath: string): Promise<Traced> {
  const child = spawn(
    "strace",
    [
      "-f", "-qq", "-ttt", "-T", "-yy", "-s", "2048",
      "-e", "trace=openat,read,readv,recvfrom,recvmsg,write,writev,sendto,sendmsg,pwrite64,pwritev,pwritev2,fdatasync,fsync",
      "-o", tracePath,
      process.execPath, "--import", "tsx", "src/cli/main.ts", "server",
      "--port", "0", "--storage", "embedded", "--fsync", fsync, "--create-stream-ms", "0", "--data-dir", dataDir, "--log-level", "warn", "--limits", "off",
    ],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TRIBUTARY_FSYNC: "", NODE_NO_WARNINGS: "1" } },
  );
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 60 s\n${stdout}\n${stderr}`)), 60_000);
    child.stdout!.on("data", () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on("error", (error) => reject(new Error(`could not run strace (scripts/test.sh installs it): ${error.message}`)));
    void exited.then(() => reject(new Error(`strace or the server exited early\n${stdout}\n${stderr}`)));
  });
  // strace detaches (and leaves the server running) on SIGTERM: signal the server itself.
  const serverPid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(" ")[0]);
  assert.ok(serverPid > 0, "the server process under strace");
  return {
    url,
    async stop() {
      process.kill(serverPid, "SIGTERM");
      await exited;
    },
  };
}

function post(agent: http.Agent, url: string, action: string, body: unknown): Promise<{ status: number; body: any }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `Kinesis_20131202.${action}`,
          "Content-Length": payload.length,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") }));
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

/** Runs the clients; returns the markers of the requests that were acknowledged. */
async function writeAndTrace(fsync: string): Promise<{ report: OrderingReport; acknowledged: number }> {
  const dir = mkdtempSync(join(tmpdir(), "tributary-fsync-trace-"));
  const tracePath = join(dir, "trace.txt");
  try {
    const server = await startTraced(fsync, join(dir, "data"), tracePath);
    const markers: string[] = [];
    try {
      const control = new http.Agent({ keepAlive: true, maxSockets: 1 });
      assert.equal((await post(control, server.url, "CreateStream", { StreamName: streamName, ShardCount: 2 })).status, 200);
      control.destroy();
      await Promise.all(
        Array.from({ length: clients }, async (_, client) => {
          // One connection per client, one request at a time on it: the answer to a request is the
          // next write on its connection.
          const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
          for (let n = 0; n < requestsPerClient; n++) {
            const marker = `m${client}_${n}_`;
            const data = Buffer.from(`record ${marker}`).toString("base64");
            const single = n % 3 === 0;
            const response = single
              ? await post(agent, server.url, "PutRecord", { PartitionKey: `${marker}0`, Data: data, StreamName: streamName })
              : await post(agent, server.url, "PutRecords", {
                  Records: Array.from({ length: 1 + (n % 7) }, (_, i) => ({ PartitionKey: `${marker}${i}`, Data: data })),
                  StreamName: streamName,
                });
            assert.equal(response.status, 200, JSON.stringify(response.body));
            if (single || response.body.FailedRecordCount === 0) markers.push(marker);
          }
          agent.destroy();
        }),
      );
    } finally {
      await server.stop();
    }
    const report = checkAckAfterFsync(parseTrace(readFileSync(tracePath, "utf8")), markers);
    return { report, acknowledged: markers.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("crash > fsync ordering under strace", { timeout: 180_000 }, () => {
  it("fsync=always: every answer follows the sync covering its records", async (t) => {
    const { report, acknowledged } = await writeAndTrace("always");
    t.diagnostic(
      `requests ${acknowledged}, followed ${report.checked}, segment writes ${report.segmentWrites} (${report.syncedWrites} through O_DSYNC), violations ${report.violations.length}`,
    );
    assert.equal(acknowledged, clients * requestsPerClient);
    assert.deepEqual(report.violations, []);
    assert.equal(report.checked, acknowledged);
    // A PutRecords may touch both shards, so there are at least as many segment writes as requests.
    assert.ok(report.segmentWrites >= acknowledged, `segment writes ${report.segmentWrites}`);
    // Segments are opened O_DSYNC under `always`: each write is its own sync.
    assert.equal(report.syncedWrites, report.segmentWrites);
  });

  it("the check catches a server that answers before syncing (fsync=interval)", async (t) => {
    const { report, acknowledged } = await writeAndTrace("interval");
    t.diagnostic(`requests ${acknowledged}, followed ${report.checked}, segment writes ${report.segmentWrites}, violations ${report.violations.length}`);
    assert.equal(acknowledged, clients * requestsPerClient);
    // Interval sync runs in the background, so most answers go out before any fdatasync covers them.
    assert.ok(report.violations.length > acknowledged / 2, `only ${report.violations.length} violations: ${report.violations.slice(0, 3).join("; ")}`);
    assert.ok(report.violations.every((violation) => violation.includes("without an fdatasync")), report.violations.slice(0, 3).join("; "));
  });
});
