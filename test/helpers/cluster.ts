/**
 * A Tributary cluster for a test file (docs/cluster.md): a NATS JetStream cluster (three servers
 * on loopback by default, through test/helpers/nats.ts) and N `tributary server --storage nats`
 * nodes, each a child process leading a process group of its own (as test/cli/process-group.ts
 * starts servers), each with its own data directory and a port kept across restarts, so a
 * client's endpoint for node i stays valid after `restartNode(i)`. All nodes share one master key
 * (TRIBUTARY_MASTER_KEY), as the cluster needs for encrypted streams.
 *
 * Everything started is killed when the test process exits, whatever happens, as nats.ts does.
 *
 * @example
 *   const cluster = await startCluster({ nodes: 2 });
 *   after(() => cluster.stop());
 *   const [a, b] = cluster.nodes.map((node) => node.url);
 *   await cluster.killNode(1);    // kill -9 of node 1's process group
 *   await cluster.restartNode(1); // same port, same data directory
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand, type GetRecordsCommandOutput, type KinesisClient,
  type ListShardsCommandOutput, type Shard,
} from "@aws-sdk/client-kinesis";
import { freePort, killGroup, startGroupServer, type GroupServer } from "../cli/process-group.js";
import { startNats, type NatsCluster } from "./nats.js";

export interface ClusterNode {
  readonly index: number;
  /** `http://127.0.0.1:<port>`: the same across restarts. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Whether the node's process is running (false after `killNode` until `restartNode`). */
  readonly running: boolean;
  /** The current process's output (since its last start). */
  stdout(): string;
  stderr(): string;
}

export interface TributaryCluster {
  readonly nats: NatsCluster;
  readonly nodes: readonly ClusterNode[];
  /** The master key every node shares (base64 of 32 bytes). */
  readonly masterKey: string;
  /** kill -9 of node `index`'s whole process group; resolves once the process is gone. */
  killNode(index: number): Promise<void>;
  /** Starts node `index` again (same port, data directory and flags); resolves once it listens. */
  restartNode(index: number): Promise<void>;
  /** Every node's output so far, for a failure message. */
  describe(): string;
  /** Stops every node (SIGTERM, then SIGKILL), then the NATS servers; removes the data directories. Idempotent. */
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  /** Tributary nodes (default 2). */
  nodes?: number;
  /** NATS servers (default 3). */
  natsServers?: 1 | 3;
  /** `sync_interval: always` on the NATS servers (fsync before every acknowledgement). */
  syncAlways?: boolean;
  /** Use this NATS cluster instead of starting one (the caller stops it). */
  nats?: NatsCluster;
  /** Further `tributary server` flags for every node, after the defaults (a later flag wins). */
  args?: readonly string[];
  /** Further environment for every node. */
  env?: Record<string, string>;
}

/**
 * What every node runs with besides the NATS flags: resources ready at once (the conformance
 * suite's expectation, as test/helpers/server.ts configures its servers), limits off (the tests
 * write faster than a shard's 1,000 records/s), warnings only, no access log.
 */
export const clusterNodeArgsDefault: readonly string[] = ["--create-stream-ms", "0", "--delete-stream-ms", "0", "--update-stream-ms", "0", "--limits", "off", "--log-level", "warn", "--access-log=false"];

const stopGraceMs = 10_000;

interface NodeState {
  index: number;
  port: number;
  dataDir: string;
  args: string[];
  server: GroupServer | undefined;
  running: boolean;
}

/** Every node process any test in this process started and has not stopped: killed on exit. */
const liveGroups = new Set<number>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanUp = () => {
    for (const pgid of liveGroups) killGroup(pgid, "SIGKILL");
    liveGroups.clear();
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
    liveDirs.clear();
  };
  process.once("exit", cleanUp);
  // A signal ends the process without "exit" (and a listener keeps it alive): clean up, then end
  // the process as the signal would have (nats.ts's servers go in its own "exit" hook).
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      cleanUp();
      process.exit(128 + constants.signals[signal]);
    });
  }
}

/** Starts the NATS cluster (unless given) and the nodes; resolves once every node listens. */
export async function startCluster(options: StartClusterOptions = {}): Promise<TributaryCluster> {
  installExitHook();
  const ownNats = options.nats === undefined;
  const nats = options.nats ?? (await startNats({ servers: options.natsServers ?? 3, ...(options.syncAlways === true && { syncAlways: true }) }));
  const masterKey = randomBytes(32).toString("base64");
  const env = { TRIBUTARY_MASTER_KEY: masterKey, ...options.env };
  const root = mkdtempSync(join(tmpdir(), "tributary-cluster-"));
  liveDirs.add(root);
  const states: NodeState[] = [];
  let stopped = false;

  const launch = async (state: NodeState): Promise<void> => {
    const server = startGroupServer("sources", state.args, env);
    state.server = server;
    liveGroups.add(server.pgid);
    state.running = true;
    void server.exited.then(() => {
      if (state.server === server) state.running = false;
      liveGroups.delete(server.pgid);
    });
    await server.ready;
  };

  const stopNode = async (state: NodeState, signal: NodeJS.Signals): Promise<void> => {
    const server = state.server;
    if (server === undefined || !state.running) return;
    // Hold the event loop while waiting for the exit (nothing else may be pending meanwhile).
    const hold = setInterval(() => undefined, 1000);
    try {
      killGroup(server.pgid, signal);
      const timer = signal === "SIGKILL" ? undefined : setTimeout(() => killGroup(server.pgid, "SIGKILL"), stopGraceMs);
      await server.exited;
      clearTimeout(timer);
      // The spawned command has exited; kill anything of its group it left (a -9 reaches all at once).
      killGroup(server.pgid, "SIGKILL");
    } finally {
      clearInterval(hold);
    }
    state.running = false;
  };

  const cluster: TributaryCluster = {
    nats,
    masterKey,
    get nodes() {
      return states.map((state) => ({
        index: state.index,
        url: `http://127.0.0.1:${state.port}`,
        port: state.port,
        dataDir: state.dataDir,
        running: state.running,
        stdout: () => state.server?.stdout() ?? "",
        stderr: () => state.server?.stderr() ?? "",
      }));
    },
    async killNode(index) {
      await stopNode(stateOf(index), "SIGKILL");
    },
    async restartNode(index) {
      const state = stateOf(index);
      await stopNode(state, "SIGKILL");
      await launch(state);
    },
    describe() {
      return states.map((state) => `\n--- node ${state.index} (${state.running ? "running" : "stopped"}) stderr ---\n${(state.server?.stderr() ?? "").split("\n").slice(-30).join("\n")}`).join("");
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(states.map((state) => stopNode(state, "SIGTERM")));
      if (ownNats) await nats.stop();
      rmSync(root, { recursive: true, force: true });
      liveDirs.delete(root);
    },
  };

  function stateOf(index: number): NodeState {
    const state = states[index];
    if (state === undefined) throw new Error(`Tributary test cluster: no node ${index}`);
    return state;
  }

  try {
    for (let index = 0; index < (options.nodes ?? 2); index++) {
      const dataDir = join(root, `node${index}`);
      const port = await freePort();
      const args = ["--storage", "nats", "--nats-url", nats.url, "--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir, ...clusterNodeArgsDefault, ...(options.args ?? [])];
      states.push({ index, port, dataDir, args, server: undefined, running: false });
    }
    // One after the other: the first creates the catalog bucket, the others find it (and the machine has 2 cores).
    for (const state of states) await launch(state);
  } catch (error) {
    const detail = cluster.describe();
    await cluster.stop();
    throw new Error(`${(error as Error).message}${detail}`, { cause: error });
  }
  return cluster;
}

// ---------------------------------------------------------------------------------------------
// Keyed writes and reads with lineage: what the cluster tests check their records with.

/** One record the writer got a sequence number for. */
export interface AcknowledgedRecord {
  key: string;
  /** The record's number within its key: the writer's order for that key. */
  n: number;
  shardId: string;
  sequenceNumber: string;
  /** The index of the node (client) that acknowledged it. */
  node: number;
}

/** One record as read back. */
export interface ReadRecord {
  key: string;
  n: number;
  shardId: string;
  sequenceNumber: string;
}

export interface KeyedWriterOptions {
  /** One client per node: batches go to the nodes in turn, and to the next one after a failure. */
  clients: readonly KinesisClient[];
  streamName: string;
  /** Writers running at once; each owns its keys, so each key has one order (the writer's). */
  writers: number;
  /** Keys per writer; a batch holds one record of each key (AWS keeps no order between two entries of one key in a batch that failed in part). */
  keysPerWriter: number;
  /** Pause after a failed call, before trying the next node. */
  retryPauseMs?: number;
  /** More to say when progress stalls (the nodes' logs: `cluster.describe`). */
  explain?: () => string;
}

/**
 * Writes continuously through every node: each writer sends PutRecords batches of one record per
 * key, alternating nodes; a key moves to its next record only once the current one is
 * acknowledged, and a record whose entry failed (or whose call failed) is sent again as it was.
 * So a key's acknowledged records are in the writer's order, and a record may be stored twice
 * only when a call failed after storing it (its first copy unacknowledged).
 */
export class KeyedWriter {
  readonly acknowledged = new Map<string, AcknowledgedRecord>();
  /** Every `key:n` sent at least once (acknowledged or not). */
  readonly sent = new Set<string>();
  /** Failure messages and how often each was seen (calls refused, entries failed). */
  readonly failures = new Map<string, number>();
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly next = new Map<string, number>();

  constructor(private readonly options: KeyedWriterOptions) {
    for (let writer = 0; writer < options.writers; writer++) {
      for (let key = 0; key < options.keysPerWriter; key++) this.next.set(`w${writer}-k${key}`, 0);
    }
  }

  static id(key: string, n: number): string {
    return `${key}:${n}`;
  }

  static data(key: string, n: number): Buffer {
    return Buffer.from(JSON.stringify({ key, n }));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.options.writers }, (_, writer) => this.loop(writer));
  }

  /** Stops sending new batches and waits for the ones in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Waits until `count` more records are acknowledged than now (the writes make progress). */
  async progress(count: number, what: string, timeoutMs = 60_000): Promise<void> {
    const target = this.acknowledged.size + count;
    const deadline = performance.now() + timeoutMs;
    while (this.acknowledged.size < target) {
      if (performance.now() > deadline) throw new Error(`${what}: ${this.acknowledged.size} of ${target} records acknowledged within ${timeoutMs} ms; failures: ${this.describeFailures()}${this.options.explain?.() ?? ""}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  describeFailures(): string {
    return [...this.failures].map(([message, count]) => `${count}× ${message}`).join("; ") || "none";
  }

  private fail(message: string): void {
    this.failures.set(message, (this.failures.get(message) ?? 0) + 1);
  }

  private async loop(writer: number): Promise<void> {
    const keys = Array.from({ length: this.options.keysPerWriter }, (_, key) => `w${writer}-k${key}`);
    const { clients, streamName } = this.options;
    for (let batch = writer; this.running; batch++) {
      const node = batch % clients.length;
      const client = clients[node]!;
      const records = keys.map((key) => ({ key, n: this.next.get(key)! }));
      for (const { key, n } of records) this.sent.add(KeyedWriter.id(key, n));
      try {
        const out = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: records.map(({ key, n }) => ({ PartitionKey: key, Data: KeyedWriter.data(key, n) })) }));
        let failed = false;
        (out.Records ?? []).forEach((entry, index) => {
          const { key, n } = records[index]!;
          if (entry.SequenceNumber !== undefined && entry.ShardId !== undefined && entry.ErrorCode === undefined) {
            this.acknowledged.set(KeyedWriter.id(key, n), { key, n, shardId: entry.ShardId, sequenceNumber: entry.SequenceNumber, node });
            this.next.set(key, n + 1);
          } else {
            failed = true;
            this.fail(`entry ${entry.ErrorCode}: ${entry.ErrorMessage}`);
          }
        });
        if (failed) await new Promise((resolve) => setTimeout(resolve, this.options.retryPauseMs ?? 100));
      } catch (error) {
        this.fail(`${(error as Error).name}: ${(error as Error).message}`.slice(0, 200));
        await new Promise((resolve) => setTimeout(resolve, this.options.retryPauseMs ?? 100));
      }
    }
  }
}

/** Every shard of the stream, parents before children (ListShards lists closed shards too). */
export async function shardsInLineageOrder(client: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page: ListShardsCommandOutput = await client.send(new ListShardsCommand(token === undefined ? { StreamName: streamName } : { NextToken: token }));
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  const done = new Set<string>();
  const known = new Set(shards.map((shard) => shard.ShardId!));
  const ordered: Shard[] = [];
  while (ordered.length < shards.length) {
    const ready = shards.filter((shard) => !done.has(shard.ShardId!) && [shard.ParentShardId, shard.AdjacentParentShardId].every((parent) => parent === undefined || !known.has(parent) || done.has(parent)));
    if (ready.length === 0) throw new Error(`the shards of ${streamName} have a lineage cycle: ${JSON.stringify(shards)}`);
    for (const shard of ready) {
      ordered.push(shard);
      done.add(shard.ShardId!);
    }
  }
  return ordered;
}

/** Every record of one shard from TRIM_HORIZON: to its end when closed, else to the tip (an empty page at MillisBehindLatest 0). */
export async function readWholeShard(client: KinesisClient, streamName: string, shardId: string): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
  // Bounded: a guard against a reader that never reaches the tip, not a performance bound.
  for (let call = 0; iterator !== undefined; call++) {
    if (call > 100_000) throw new Error(`${shardId}: no tip after ${call} GetRecords calls`);
    const page: GetRecordsCommandOutput = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
    for (const record of page.Records ?? []) {
      const parsed = JSON.parse(Buffer.from(record.Data!).toString("utf8")) as { key: string; n: number };
      out.push({ key: parsed.key, n: parsed.n, shardId, sequenceNumber: record.SequenceNumber! });
    }
    if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0 && page.NextShardIterator !== undefined) break;
    iterator = page.NextShardIterator;
  }
  return out;
}

/** Every record of the stream, shard after shard in lineage order (so each key's records come in its order). */
export async function readStreamWithLineage(client: KinesisClient, streamName: string): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  for (const shard of await shardsInLineageOrder(client, streamName)) out.push(...(await readWholeShard(client, streamName, shard.ShardId!)));
  return out;
}

/**
 * The problems with what was read, given what the writer acknowledged and sent (empty: none):
 * every acknowledged record read exactly once, on its shard at its sequence number; each key's
 * acknowledged records in the key's order; nothing read that was never sent; sequence numbers
 * increasing within each shard and never repeated.
 */
export function recordProblems(read: readonly ReadRecord[], writer: KeyedWriter): string[] {
  const problems: string[] = [];
  const copies = new Map<string, number>();
  const lastOfShard = new Map<string, bigint>();
  const lastOfKey = new Map<string, number>();
  for (const record of read) {
    const id = KeyedWriter.id(record.key, record.n);
    if (!writer.sent.has(id)) problems.push(`read ${id} (${record.shardId} ${record.sequenceNumber}), which was never sent`);
    const sequence = BigInt(record.sequenceNumber);
    const previous = lastOfShard.get(record.shardId);
    if (previous !== undefined && sequence <= previous) problems.push(`${record.shardId}: sequence number ${record.sequenceNumber} (${id}) after ${previous}`);
    lastOfShard.set(record.shardId, sequence);
    const ack = writer.acknowledged.get(id);
    if (ack === undefined || ack.sequenceNumber !== record.sequenceNumber) continue; // An unacknowledged copy.
    copies.set(id, (copies.get(id) ?? 0) + 1);
    if (ack.shardId !== record.shardId) problems.push(`${id} acknowledged on ${ack.shardId}, read on ${record.shardId}`);
    const before = lastOfKey.get(record.key);
    if (before !== undefined && record.n <= before) problems.push(`key ${record.key}: ${id} read after ${KeyedWriter.id(record.key, before)}`);
    lastOfKey.set(record.key, record.n);
  }
  for (const [id, ack] of writer.acknowledged) {
    const count = copies.get(id) ?? 0;
    if (count === 1) continue;
    // A missing record before a later one of its key is a hole; after the last one read, the reader may not see the tail yet.
    const where = count === 0 ? ((lastOfKey.get(ack.key) ?? -1) > ack.n ? " (a hole: later records of its key were read)" : " (after the last record of its key read)") : "";
    problems.push(`${id} (acknowledged by node ${ack.node} ${ack.shardId} ${ack.sequenceNumber}) read ${count} times${where}`);
  }
  return problems;
}

/**
 * How often, and how far apart, a read that misses only the newest records is repeated: for up to
 * 15 s, longer than a node's view of a shard takes to start over when the NATS server feeding it
 * dies (three missed 2 s heartbeats, a 2 s watchdog and a back-off of at most 2 s:
 * src/storage/nats/nats-log-follower.ts). A CI run that killed that server last missed the final
 * batch of the other node's writes for longer than the 5 s this waited before.
 */
const tailReadAttempts = 30;
const tailReadPauseMs = 500;

/**
 * Reads the whole stream through `client` and checks it (recordProblems). A node learns of the
 * other nodes' appends through its watch, a moment later (docs/cluster.md), so a read that misses
 * only records after the last one read of their key is repeated (tailReadAttempts); any other
 * problem is final at once.
 */
export async function readAndCheck(client: KinesisClient, streamName: string, writer: KeyedWriter): Promise<{ read: ReadRecord[]; problems: string[] }> {
  for (let attempt = 1; ; attempt++) {
    const read = await readStreamWithLineage(client, streamName);
    const problems = recordProblems(read, writer);
    const onlyTail = problems.length > 0 && problems.every((problem) => problem.endsWith("read 0 times (after the last record of its key read)"));
    if (!onlyTail || attempt >= tailReadAttempts) return { read, problems };
    await new Promise((resolve) => setTimeout(resolve, tailReadPauseMs));
  }
}

/** Errors that mean "not there (yet)" in the services' answers: what a node says before it hears of another node's write. */
const notFoundPattern = /NotFound|NoSuchBucket|NoSuchKey/;

/**
 * `attempt`, repeated while it fails with a not-found error: another node's write reaches this
 * node a moment later (docs/cluster.md, "What one node wrote, another sees a moment later").
 * Any other error is thrown at once; after `timeoutMs` the not-found error is thrown.
 */
export async function onceVisible<T>(attempt: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!notFoundPattern.test((error as Error).name) || performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Waits until the stream is ACTIVE as seen through `client`'s node (which may not know it at first). */
export async function activeThrough(client: KinesisClient, streamName: string, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = await onceVisible(() => client.send(new DescribeStreamSummaryCommand({ StreamName: streamName })), timeoutMs).then((out) => out.StreamDescriptionSummary?.StreamStatus);
    if (status === "ACTIVE") return;
    if (performance.now() > deadline) throw new Error(`stream ${streamName}: ${status}, not ACTIVE, within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
