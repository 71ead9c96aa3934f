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
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  process.once("exit", () => {
    for (const pgid of liveGroups) killGroup(pgid, "SIGKILL");
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
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
