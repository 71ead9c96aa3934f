/**
 * The storage case suite (test/storage/cases.ts) and the local object client's cases against the
 * NATS JetStream engine on a real one-server JetStream (test/helpers/nats.ts; nats-server 2.10+,
 * which scripts/test.sh installs), through storage-nats-harness.ts; then the engine's own cases:
 * two nodes on one prefix, the servers it refuses. The 3-server run: storage-nats-cluster.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStorageCases } from "../storage/cases.js";
import { runObjectClientCases } from "../storage/object-client-cases.js";
import { startNats, type NatsCluster } from "../helpers/nats.js";
import { createNatsEngine, NatsEngineError } from "../../src/storage/nats/nats-engine.js";
import { startServer } from "../../src/index.js";
import { waitFor } from "../helpers/wait.js";
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { localObjectClient } from "../../src/storage/object-client/index.js";
import { freshPrefix, natsHarness, openNatsEngine, removePrefix } from "./storage-nats-harness.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

let nats: NatsCluster;

before(async () => {
  nats = await startNats();
});
after(() => nats.stop());

const openEngine = (prefix: string) => openNatsEngine(nats, prefix);

runStorageCases("nats (one server)", () => natsHarness(nats));

runObjectClientCases("local, nats engine", async () => {
  const prefix = freshPrefix();
  const engine = await openEngine(prefix);
  return {
    client: localObjectClient({ store: engine.objects, clock: systemClock, region: "eu-west-1" }),
    accountId: "111122223333",
    cleanup: async () => {
      await engine.close();
      await removePrefix(nats, prefix);
    },
  };
});

describe("storage > nats > engine", () => {
  it("names itself nats and shares one secret between two nodes of a prefix", async () => {
    const prefix = freshPrefix();
    const [first, second] = await Promise.all([openEngine(prefix), openEngine(prefix)]);
    try {
      assert.equal(first.name, "nats");
      assert.equal(first.catalog.secret().length, 32);
      assert.deepEqual(second.catalog.secret(), first.catalog.secret());
      assert.notEqual(first.context.nodeId, second.context.nodeId);
      assert.equal(first.context.replicas, 1, "one server: one replica");
    } finally {
      await Promise.all([first.close(), second.close()]);
      await removePrefix(nats, prefix);
    }
  });

  it("a second node sees the first's catalog writes through its watch, and their compare-and-sets meet in NATS", async () => {
    const prefix = freshPrefix();
    const first = await openEngine(prefix);
    const second = await openEngine(prefix);
    try {
      const heard: string[] = [];
      const watch = second.catalog.watch((change) => heard.push(change.kind === "entry" ? `${change.name}@${change.revision}` : change.accountId));
      await watch.ready;
      const created = await first.catalog.put("111122223333", "s", { v: 1 }, { expectedRevision: "absent" });
      assert.ok(created.ok && "revision" in created);
      await waitUntil(() => heard.includes(`s@${created.revision}`));
      assert.deepEqual(await second.catalog.get("111122223333", "s"), { v: 1 });
      // The second node's CAS expecting absence meets the first's entry, whatever its copy says.
      assert.deepEqual(await second.catalog.put("111122223333", "s", { v: 2 }, { expectedRevision: "absent" }), { ok: false, conflict: { revision: created.revision } });
      const updated = await second.catalog.put("111122223333", "s", { v: 3 }, { expectedRevision: created.revision });
      assert.ok(updated.ok);
      assert.deepEqual(await first.catalog.put("111122223333", "s", { v: 4 }, { expectedRevision: created.revision }), { ok: false, conflict: { revision: "revision" in updated ? updated.revision : 0 } });
      watch.stop();
    } finally {
      await Promise.all([first.close(), second.close()]);
      await removePrefix(nats, prefix);
    }
  });

  it("refuses a prefix that is not a JetStream name, and says where NATS could not be reached", async () => {
    await assert.rejects(openEngine("bad.prefix"), (error: Error) => error instanceof NatsEngineError && /prefix/.test(error.message));
    const unreachable = createNatsEngine({ servers: ["nats://127.0.0.1:1"], connectTimeoutMs: 600 }, { clock: systemClock, random: new SeededRandom(99), logger: silentLogger });
    await assert.rejects(unreachable, (error: Error) => error instanceof NatsEngineError && error.message.startsWith("cannot reach NATS at nats://127.0.0.1:1"));
  });
});

describe("storage > nats > startServer", () => {
  it("two servers started with storage nats share streams and records, and report the engine", async () => {
    const prefix = freshPrefix();
    const options = { storage: "nats", natsUrl: nats.url, natsPrefix: prefix, natsReplicas: 1 } as const;
    const [a, b] = await Promise.all([startServer(options), startServer(options)]);
    const clientOf = (server: { url: string }) => new KinesisClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } });
    const [throughA, throughB] = [clientOf(a), clientOf(b)];
    try {
      assert.equal(((await (await fetch(`${a.url}/health`)).json()) as { storage: string }).storage, "nats");
      await throughA.send(new CreateStreamCommand({ StreamName: "shared", ShardCount: 1 }));
      // B hears of the stream through its catalog watch, moments later, as a client waits for ACTIVE.
      await waitFor("node B sees the stream ACTIVE", async () => {
        const summary = await throughB.send(new DescribeStreamSummaryCommand({ StreamName: "shared" })).catch(() => undefined);
        return summary?.StreamDescriptionSummary?.StreamStatus === "ACTIVE";
      });
      const put = await throughB.send(new PutRecordCommand({ StreamName: "shared", PartitionKey: "k", Data: Buffer.from("through b") }));
      // A hears of B's append through its follower, moments later: read as a consumer does, until it comes.
      let { ShardIterator } = await throughA.send(new GetShardIteratorCommand({ StreamName: "shared", ShardId: put.ShardId!, ShardIteratorType: "TRIM_HORIZON" }));
      const read: string[] = [];
      await waitFor("node A reads the record", async () => {
        const page = await throughA.send(new GetRecordsCommand({ ShardIterator: ShardIterator! }));
        read.push(...(page.Records ?? []).map((record) => `${record.SequenceNumber} ${Buffer.from(record.Data!).toString()}`));
        ShardIterator = page.NextShardIterator;
        return read.length > 0;
      });
      assert.deepEqual(read, [`${put.SequenceNumber} through b`]);
    } finally {
      throughA.destroy();
      throughB.destroy();
      await Promise.all([a.close(), b.close()]);
      await removePrefix(nats, prefix);
    }
  });

  it("refuses nats options without storage nats, and storage nats without a URL", async () => {
    await assert.rejects(startServer({ natsUrl: nats.url }), /^StartError: --nats-url is used only with --storage nats$/);
    await assert.rejects(startServer({ storage: "nats" }), /^StartError: --storage nats needs --nats-url/);
  });
});

describe("storage > nats > engine > TLS", () => {
  let dir: string;
  let secure: NatsCluster;
  before(async () => {
    // A CA and a server certificate for localhost that it signed (openssl, as an operator would
    // make them). Servers are named by host name: nats.js checks a server given by IP address
    // against "localhost" (docs/cluster.md).
    dir = mkdtempSync(join(tmpdir(), "tributary-nats-tls-"));
    const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=tributary test CA");
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
    writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:localhost\n");
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
    secure = await startNats({ tls: { certFile: join(dir, "server.pem"), keyFile: join(dir, "server.key"), caFile: join(dir, "ca.pem") } });
  });
  after(async () => {
    await secure.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("connects with --nats-tls-ca's CA, and a start without it fails at once, saying why", async () => {
    const prefix = freshPrefix();
    const servers = secure.urls.map((url) => url.replace("127.0.0.1", "localhost"));
    const engine = await createNatsEngine({ servers, prefix, tlsCaFile: join(dir, "ca.pem") }, { clock: systemClock, random: new SeededRandom(96), logger: silentLogger });
    try {
      assert.deepEqual(await engine.catalog.put("111122223333", "over-tls", { v: 1 }), { ok: true });
      assert.deepEqual(await engine.catalog.get("111122223333", "over-tls"), { v: 1 });
    } finally {
      await engine.close();
      await removePrefix(secure, prefix);
    }
    // The default trust store does not know this CA: a certificate problem does not get better by waiting.
    await assert.rejects(
      createNatsEngine({ servers, prefix, connectTimeoutMs: 60_000 }, { clock: systemClock, random: new SeededRandom(95), logger: silentLogger }),
      (error: Error) => error instanceof NatsEngineError && /^cannot reach NATS at .*: .*certificate/.test(error.message),
    );
  });
});

describe("storage > nats > engine > the server it meets", () => {
  /** A stand-in that speaks just enough of the NATS protocol to connect (INFO, then PONG to PING), with this INFO. */
  async function fakeNats(info: Record<string, unknown>): Promise<{ url: string; close(): Promise<void> }> {
    const server = createServer((socket) => {
      socket.write(`INFO ${JSON.stringify({ server_id: "FAKE", server_name: "fake", proto: 1, headers: true, max_payload: 1048576, ...info })}\r\n`);
      socket.on("data", (bytes) => {
        if (bytes.toString().includes("PING")) socket.write("PONG\r\n");
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `nats://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it("refuses a nats-server older than 2.10, naming its version", async () => {
    const fake = await fakeNats({ version: "2.9.10", jetstream: true });
    try {
      await assert.rejects(
        createNatsEngine({ servers: [fake.url] }, { clock: systemClock, random: new SeededRandom(98), logger: silentLogger }),
        (error: Error) => error instanceof NatsEngineError && error.message.includes("is nats-server 2.9.10; Tributary needs 2.10.0 or later"),
      );
    } finally {
      await fake.close();
    }
  });

  it("refuses a server without JetStream", async () => {
    const fake = await fakeNats({ version: "2.10.27", jetstream: false });
    try {
      await assert.rejects(
        createNatsEngine({ servers: [fake.url] }, { clock: systemClock, random: new SeededRandom(97), logger: silentLogger }),
        (error: Error) => error instanceof NatsEngineError && error.message.startsWith("JetStream is not enabled on NATS at"),
      );
    } finally {
      await fake.close();
    }
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let tries = 0; !check(); tries++) {
    if (tries > 3000) throw new Error("not within 30 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
