/**
 * Throwaway NATS JetStream servers for a test file: one server, or a cluster of three on loopback
 * (cluster routes between them, server names n0…n2, no JetStream domain), each on free ports with
 * its store in a temporary directory, started as its own process group and stopped — with its
 * directory removed — by `stop()`, or at the latest when the test process exits, so nothing is
 * left behind even when a test fails before its `after`.
 *
 * nats-server 2.10 or later is required (Debian bookworm's 2.9.10 is too old: its filtered reads
 * are far too slow). scripts/test.sh installs it; without it `startNats` throws, pointing there
 * (tests fail, never skip). TRIBUTARY_NATS_SERVER names another binary.
 *
 * @example
 *   const nats = await startNats({ servers: 3 });
 *   after(() => nats.stop());
 *   const leader = await nats.streamLeader("tributary-s-orders");
 *   await nats.kill(leader);        // kill -9
 *   await nats.restart(leader);     // same ports, same store
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { connect, StorageType, type JetStreamManager, type NatsConnection } from "nats";

export interface NatsServer {
  readonly index: number;
  /** The server's name (`server_name`), as JetStream reports stream leaders: `n0`, `n1`, … */
  readonly name: string;
  /** Client URL, `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** HTTP monitoring port (/healthz, /jsz, /varz). */
  readonly monitorPort: number;
  readonly storeDir: string;
  /** The server's log file (stdout and stderr), appended to across restarts. */
  readonly logFile: string;
  /** Whether the process is running (false after `kill` until `restart`). */
  readonly running: boolean;
}

export interface NatsCluster {
  readonly servers: readonly NatsServer[];
  /** Every server's client URL. */
  readonly urls: string[];
  /** The URLs joined by commas, as `--nats-url` takes them. */
  readonly url: string;
  /** A connection of the helper's own to all servers (reconnecting forever), closed by `stop()`. */
  connection(): Promise<NatsConnection>;
  /** kill -9 of server `index` (its process group); resolves once the process is gone. */
  kill(index: number): Promise<void>;
  /** Starts server `index` again (same ports, names and store) and waits until it is healthy. */
  restart(index: number): Promise<void>;
  /** The index of the server that leads JetStream stream `name` (a KV bucket's stream is `KV_<bucket>`); waits for an election. */
  streamLeader(name: string, timeoutMs?: number): Promise<number>;
  /** The index of the JetStream meta leader; waits for an election. */
  metaLeader(timeoutMs?: number): Promise<number>;
  /** Waits until every running server reports healthy (/healthz: JetStream up, meta leader known, streams current). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Kills every server and removes the temporary directory. Idempotent. */
  stop(): Promise<void>;
}

export interface StartNatsOptions {
  /** 1 (default) or 3. */
  servers?: 1 | 3;
  /** `jetstream { sync_interval: always }`: fsync before every acknowledgement (docs/cluster.md). */
  syncAlways?: boolean;
  /** Waits this long for JetStream to be ready (default 30 s). */
  readyTimeoutMs?: number;
  /** Clients must use TLS: the servers' certificate and key, and the CA that signed them (for the helper's own connection). */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

const minimumVersion = [2, 10] as const;
const installHint = "run scripts/test.sh, which installs nats-server 2.10+ (Debian trixie's nats-server package), or set TRIBUTARY_NATS_SERVER to a nats-server 2.10+ binary";

/** The nats-server binary, checked to be 2.10 or later; throws with the way to get one otherwise. */
export function natsServerBinary(): string {
  const candidates = [process.env["TRIBUTARY_NATS_SERVER"], "nats-server", "/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"].filter((path): path is string => path !== undefined && path !== "");
  for (const candidate of candidates) {
    const result = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    if (result.error !== undefined || result.status !== 0) continue;
    const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(result.stdout + result.stderr);
    if (match === null) continue;
    const [major, minor] = [Number(match[1]), Number(match[2])];
    if (major > minimumVersion[0] || (major === minimumVersion[0] && minor >= minimumVersion[1])) return candidate;
    throw new Error(`${candidate} is nats-server ${match[0]}, older than 2.10, which the NATS engine needs: ${installHint}.`);
  }
  throw new Error(`nats-server is not installed: ${installHint}.`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A failure no wait will mend (a server that exited): `until` gives up at once. */
class Hopeless extends Error {}

async function until<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>, explain: () => string = () => ""): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await attempt().catch((error: unknown) => {
      if (error instanceof Hopeless) throw new Error(`NATS test cluster: ${what}: ${error.message}${explain()}`);
      return undefined;
    });
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`NATS test cluster: ${what} not within ${timeoutMs} ms${explain()}`);
    await sleep(50);
  }
}

interface ServerState {
  index: number;
  name: string;
  port: number;
  clusterPort: number;
  monitorPort: number;
  storeDir: string;
  configFile: string;
  logFile: string;
  process: ChildProcess | undefined;
}

/** Every server any test in this process started and has not stopped: killed on exit whatever happens. */
const live = new Set<ServerState>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanUp = () => {
    for (const server of live) killGroup(server);
    live.clear();
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
    liveDirs.clear();
  };
  process.once("exit", cleanUp);
  // A signal ends the process without "exit" (and a listener keeps it alive): clean up, then end
  // the process as the signal would have. A test process that is signalled is meant to stop.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      cleanUp();
      process.exit(128 + constants.signals[signal]);
    });
  }
}

function killGroup(server: ServerState): void {
  const pid = server.process?.pid;
  if (pid === undefined || server.process?.exitCode !== null || server.process.signalCode !== null) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function configText(server: ServerState, all: readonly ServerState[], options: StartNatsOptions): string {
  const lines = [
    `server_name: ${server.name}`,
    `listen: "127.0.0.1:${server.port}"`,
    `http: "127.0.0.1:${server.monitorPort}"`,
    `jetstream {`,
    `  store_dir: "${server.storeDir}"`,
    ...(options.syncAlways === true ? [`  sync_interval: always`] : []),
    `}`,
    ...(options.tls === undefined ? [] : [`tls {`, `  cert_file: "${options.tls.certFile}"`, `  key_file: "${options.tls.keyFile}"`, `}`]),
  ];
  if (all.length > 1) {
    const routes = all.filter((other) => other !== server).map((other) => `    "nats-route://127.0.0.1:${other.clusterPort}"`);
    lines.push(`cluster {`, `  name: tributary-test`, `  listen: "127.0.0.1:${server.clusterPort}"`, `  routes: [`, ...routes, `  ]`, `}`);
  }
  return lines.join("\n") + "\n";
}

function launch(binary: string, server: ServerState): void {
  const log = openSync(server.logFile, "a");
  try {
    // detached: its own process group, killed as a group (nothing survives a kill -9 of the test).
    const child = spawn(binary, ["-c", server.configFile], { detached: true, stdio: ["ignore", log, log] });
    child.unref();
    child.on("error", () => {});
    server.process = child;
    live.add(server);
  } finally {
    closeSync(log);
  }
}

async function healthy(server: ServerState): Promise<boolean> {
  if (server.process === undefined) return false;
  if (server.process.exitCode !== null || server.process.signalCode !== null) throw new Hopeless(`${server.name} exited (${server.process.exitCode ?? server.process.signalCode})`);
  const response = await fetch(`http://127.0.0.1:${server.monitorPort}/healthz`, { signal: AbortSignal.timeout(2000) });
  await response.text();
  return response.status === 200;
}

function logTail(server: ServerState): string {
  if (!existsSync(server.logFile)) return "";
  const text = readFileSync(server.logFile, "utf8");
  return `\n--- ${server.name} (${server.logFile}) ---\n${text.split("\n").slice(-20).join("\n")}`;
}

/**
 * How long a new cluster may refuse to place a replica on every server. Healthy servers (every
 * /healthz 200, the API answering) have refused "no suitable peers for placement" for over a
 * minute on a loaded 2-core CI machine; a test then failed starting its first node. Waiting here
 * until a probe stream with a replica on every server is placed starts the nodes on a cluster
 * known to place, and a cluster that never does fails here with each server's view of its peers.
 */
const placementTimeoutMs = 120_000;

async function untilReplicasPlaced(jsm: JetStreamManager, servers: readonly ServerState[], timeoutMs: number, explain: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (let probe = 1; ; probe++) {
    const name = `tributary_test_placement_${process.pid}_${probe}`;
    try {
      await jsm.streams.add({ name, subjects: [`${name}.>`], num_replicas: servers.length, storage: StorageType.File });
      await jsm.streams.delete(name);
      return;
    } catch (error) {
      if (performance.now() > deadline) {
        const views = await Promise.all(servers.map(async (server) => `\n--- ${server.name} /jsz meta_cluster ---\n${await metaClusterView(server)}`));
        throw new Error(`NATS test cluster: a stream with ${servers.length} replicas not placed within ${timeoutMs} ms: ${(error as Error).message}${views.join("")}${explain()}`);
      }
      await sleep(500);
    }
  }
}

async function metaClusterView(server: ServerState): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${server.monitorPort}/jsz`, { signal: AbortSignal.timeout(2000) });
    return JSON.stringify((await response.json() as { meta_cluster?: unknown }).meta_cluster);
  } catch (error) {
    return `(no answer: ${(error as Error).message})`;
  }
}

/** Starts one JetStream server (default) or a 3-server cluster and waits until JetStream is ready. */
export async function startNats(options: StartNatsOptions = {}): Promise<NatsCluster> {
  const binary = natsServerBinary();
  // A free port is free when asked, not necessarily when the server binds it: another process may
  // take it in between. Then the server exits saying so, and a fresh set of ports is tried.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binary, options);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test((error as Error).message)) throw error;
    }
  }
}

async function startOnce(binary: string, options: StartNatsOptions): Promise<NatsCluster> {
  const count = options.servers ?? 1;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), "tributary-nats-"));
  liveDirs.add(dir);
  const servers: ServerState[] = [];
  for (let index = 0; index < count; index += 1) {
    const storeDir = join(dir, `n${index}`, "store");
    mkdirSync(storeDir, { recursive: true });
    servers.push({
      index,
      name: `n${index}`,
      port: await freePort(),
      clusterPort: await freePort(),
      monitorPort: await freePort(),
      storeDir,
      configFile: join(dir, `n${index}`, "nats.conf"),
      logFile: join(dir, `n${index}`, "server.log"),
      process: undefined,
    });
  }
  for (const server of servers) writeFileSync(server.configFile, configText(server, servers, options));
  let connection: Promise<NatsConnection> | undefined;
  let stopped = false;
  const urls = servers.map((server) => `nats://127.0.0.1:${server.port}`);
  const explain = () => servers.map(logTail).join("");

  const processGone = (server: ServerState): Promise<void> =>
    new Promise((resolve) => {
      const child = server.process;
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) resolve();
      else {
        // The child is unref'd (a forgotten server never holds the test process open); while we
        // wait for its exit, hold the event loop.
        child.ref();
        child.once("exit", () => {
          child.unref();
          resolve();
        });
      }
    });

  const waitHealthy = async (timeoutMs = readyTimeoutMs): Promise<void> => {
    for (const server of servers) {
      if (server.process === undefined) continue;
      await until(`${server.name} healthy (JetStream ready)`, timeoutMs, async () => ((await healthy(server)) ? true : undefined), explain);
    }
  };

  const connectionOf = (): Promise<NatsConnection> => {
    connection ??= connect({
      servers: urls,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
      name: "tributary-test-helper",
      // nats.js checks a server given by IP address against "localhost": name it so.
      ...(options.tls !== undefined && { servers: urls.map((url) => url.replace("127.0.0.1", "localhost")), tls: { caFile: options.tls.caFile } }),
    });
    return connection;
  };

  const indexOfName = (name: string | undefined): number | undefined => {
    const index = servers.findIndex((server) => server.name === name);
    return index < 0 ? undefined : index;
  };

  const cluster: NatsCluster = {
    get servers() {
      return servers.map((server) => ({
        index: server.index,
        name: server.name,
        url: `nats://127.0.0.1:${server.port}`,
        port: server.port,
        monitorPort: server.monitorPort,
        storeDir: server.storeDir,
        logFile: server.logFile,
        running: server.process !== undefined && server.process.exitCode === null && server.process.signalCode === null,
      }));
    },
    urls,
    url: urls.join(","),
    connection: connectionOf,
    async kill(index) {
      const server = servers[index];
      if (server === undefined) throw new Error(`NATS test cluster: no server ${index}`);
      const gone = processGone(server);
      killGroup(server);
      await gone;
      live.delete(server);
      server.process = undefined;
    },
    async restart(index) {
      const server = servers[index];
      if (server === undefined) throw new Error(`NATS test cluster: no server ${index}`);
      if (server.process !== undefined) await cluster.kill(index);
      launch(binary, server);
      await until(`${server.name} healthy after restart`, readyTimeoutMs, async () => ((await healthy(server)) ? true : undefined), () => logTail(server));
    },
    async streamLeader(name, timeoutMs = readyTimeoutMs) {
      return until(`a leader for stream ${name}`, timeoutMs, async () => {
        const jsm = await (await connectionOf()).jetstreamManager({ checkAPI: false, timeout: 2000 });
        const info = await jsm.streams.info(name);
        // A single server without a cluster block reports no cluster leader: it leads everything.
        if (count === 1) return 0;
        return indexOfName(info.cluster?.leader);
      });
    },
    async metaLeader(timeoutMs = readyTimeoutMs) {
      return until("a JetStream meta leader", timeoutMs, async () => {
        for (const server of servers) {
          if (server.process === undefined) continue;
          const response = await fetch(`http://127.0.0.1:${server.monitorPort}/jsz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
          if (response === undefined) continue;
          const body = (await response.json()) as { meta_cluster?: { leader?: string } };
          if (count === 1) return 0;
          const index = indexOfName(body.meta_cluster?.leader);
          if (index !== undefined) return index;
        }
        return undefined;
      });
    },
    waitHealthy,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (connection !== undefined) {
        const nc = await connection.catch(() => undefined);
        await nc?.close().catch(() => {});
      }
      for (const server of servers) {
        const gone = processGone(server);
        killGroup(server);
        await gone;
        live.delete(server);
      }
      rmSync(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
  };

  try {
    for (const server of servers) launch(binary, server);
    await waitHealthy();
    // /healthz answers once JetStream is up; the API answering proves the meta leader is elected.
    const jsm = await (await connectionOf()).jetstreamManager({ checkAPI: false, timeout: 5000 });
    await until("the JetStream API", readyTimeoutMs, async () => ((await jsm.getAccountInfo()) ? true : undefined), explain);
    if (count > 1) await untilReplicasPlaced(jsm, servers, Math.max(readyTimeoutMs, placementTimeoutMs), explain);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
