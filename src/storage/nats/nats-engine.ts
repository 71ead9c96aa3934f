/**
 * The NATS JetStream engine (docs/cluster.md, docs/formats/nats.md): Tributary nodes keep no
 * state of their own and share one NATS cluster, which replicates everything (Raft per stream).
 * This file connects, checks the server, settles the replicas and opens the four parts — catalog,
 * shard logs, tables, objects — each with the one NatsContext; closing closes the parts, then
 * drains the connection.
 *
 * @example
 *   const engine = await createNatsEngine({ servers: ["nats://127.0.0.1:4222"] }, { clock, random, logger });
 */
import { readFile } from "node:fs/promises";
import { connect, credsAuthenticator, type ConnectionOptions, type JetStreamManager, type NatsConnection } from "nats";
import type { StorageEngine } from "../types.js";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import type { Logger } from "../../util/logger.js";
import type { NatsContext, NatsPart } from "./nats-context.js";
import { catalogBucketName, openNatsCatalog } from "./nats-catalog.js";
import { openNatsLogs } from "./nats-logs.js";
import { openNatsTables } from "./nats-tables.js";
import { openNatsObjects } from "./nats-objects.js";
import { natsPeerBus } from "./nats-peers.js";

export interface NatsEngineOptions {
  /** The cluster's client URLs (`nats://host:4222`); any one reachable is enough, the client learns the others. */
  servers: readonly string[];
  /** A NATS credentials file (JWT and NKey seed), as `nats context` and `nsc` write them. */
  credsFile?: string;
  /** A PEM file of the CA that signed the NATS servers' certificates: the connection uses TLS. */
  tlsCaFile?: string;
  /** Replicas of everything the engine creates; default: what the catalog bucket already has, else 3 on a cluster of 3 or more servers, else 1. */
  replicas?: number;
  /** Prefix of every JetStream name and subject (default `tributary`): letters, digits, `-` and `_`. */
  prefix?: string;
  /** How long a start keeps trying to reach NATS before giving up (default 30 s). */
  connectTimeoutMs?: number;
}

export interface NatsEngineDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
}

/** The engine, with the context its parts share (tests open second handles from it). */
export interface NatsEngine extends StorageEngine {
  readonly context: NatsContext;
}

/** A problem a user fixes (NATS unreachable, too old, without JetStream, a bad option): the message says what. */
export class NatsEngineError extends Error {
  override readonly name = "NatsEngineError";
}

export const natsPrefixDefault = "tributary";
export const natsServerVersionMin = "2.10.0";
const connectTimeoutMsDefault = 30_000;
const connectRetryDelayMs = 500;
const replicasMax = 5;
const prefixPattern = /^[A-Za-z0-9_-]+$/;

export async function createNatsEngine(options: NatsEngineOptions, deps: NatsEngineDeps): Promise<NatsEngine> {
  const prefix = options.prefix ?? natsPrefixDefault;
  if (!prefixPattern.test(prefix)) throw new NatsEngineError(`the NATS prefix ${JSON.stringify(prefix)} may hold only letters, digits, - and _`);
  if (options.servers.length === 0) throw new NatsEngineError("no NATS server URL given");
  if (options.replicas !== undefined && !(Number.isInteger(options.replicas) && options.replicas >= 1 && options.replicas <= replicasMax)) {
    throw new NatsEngineError(`NATS replicas must be a whole number from 1 to ${replicasMax}, not ${options.replicas}`);
  }
  const nodeId = deps.random.bytes(8).toString("hex");
  const deadlineMs = deps.clock.nowMs() + (options.connectTimeoutMs ?? connectTimeoutMsDefault);
  const nc = await connectWithin(options, nodeId, deadlineMs, deps);
  const parts: NatsPart[] = [];
  try {
    checkServer(nc, options.servers);
    const jsm = await jetStreamWithin(nc, deadlineMs, deps);
    const js = nc.jetstream();
    const replicas = options.replicas ?? (await existingReplicas(jsm, prefix)) ?? clusterReplicas(nc);
    const ctx: NatsContext = { nc, js, jsm, replicas, prefix, nodeId, clock: deps.clock, random: deps.random, logger: deps.logger };
    const catalog = await openNatsCatalog(ctx);
    parts.push(catalog);
    const logs = await openNatsLogs(ctx);
    parts.push(logs);
    const tables = await openNatsTables(ctx);
    parts.push(tables);
    const objects = await openNatsObjects(ctx);
    parts.push(objects);
    deps.logger.info({ server: nc.getServer(), version: nc.info?.version, replicas, prefix, nodeId }, "storage on NATS JetStream");
    let closing: Promise<void> | undefined;
    return {
      name: "nats",
      context: ctx,
      catalog,
      logs,
      tables,
      objects,
      peers: natsPeerBus(ctx),
      close: () => (closing ??= closeAll(parts, nc, deps.logger)),
    };
  } catch (error) {
    await closeAll(parts, nc, deps.logger);
    throw error;
  }
}

/** Connects, trying again until `connectTimeoutMs` has passed; then reconnects forever, with jitter, for the engine's life. */
async function connectWithin(options: NatsEngineOptions, nodeId: string, deadlineMs: number, deps: NatsEngineDeps): Promise<NatsConnection> {
  const connection: ConnectionOptions = {
    servers: [...options.servers],
    name: `tributary ${nodeId}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 250,
    reconnectJitterTLS: 1000,
    pingInterval: 10_000,
  };
  if (options.credsFile !== undefined) {
    const creds = await readFile(options.credsFile).catch((error: Error) => {
      throw new NatsEngineError(`cannot read the NATS credentials file ${options.credsFile}: ${error.message}`);
    });
    connection.authenticator = credsAuthenticator(new Uint8Array(creds));
  }
  if (options.tlsCaFile !== undefined) {
    const ca = await readFile(options.tlsCaFile, "utf8").catch((error: Error) => {
      throw new NatsEngineError(`cannot read the NATS TLS CA file ${options.tlsCaFile}: ${error.message}`);
    });
    connection.tls = { ca };
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect(connection);
    } catch (error) {
      const message = (error as Error).message;
      // Refused credentials or TLS will not get better by waiting.
      const permanent = /authorization|authentication|tls|certificate/i.test(message);
      if (permanent || deps.clock.nowMs() + connectRetryDelayMs > deadlineMs) {
        throw new NatsEngineError(`cannot reach NATS at ${options.servers.join(",")}${permanent ? "" : ` (tried ${attempt} times)`}: ${message}`);
      }
      if (attempt === 1) deps.logger.warn({ servers: options.servers, err: message }, "NATS is not reachable yet; trying again");
      await deps.clock.sleep(connectRetryDelayMs);
    }
  }
}

/**
 * The JetStream API, once it answers: a cluster that has just started answers "JetStream system
 * temporarily unavailable" until its meta leader is elected, so a start keeps asking until the deadline.
 */
async function jetStreamWithin(nc: NatsConnection, deadlineMs: number, deps: NatsEngineDeps): Promise<JetStreamManager> {
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  for (let attempt = 1; ; attempt++) {
    try {
      await jsm.getAccountInfo();
      return jsm;
    } catch (error) {
      if (deps.clock.nowMs() + connectRetryDelayMs > deadlineMs) {
        throw new NatsEngineError(`JetStream does not answer on NATS at ${nc.getServer()} (asked ${attempt} times): ${(error as Error).message}`);
      }
      if (attempt === 1) deps.logger.warn({ server: nc.getServer(), err: (error as Error).message }, "JetStream is not ready yet; asking again");
      await deps.clock.sleep(connectRetryDelayMs);
    }
  }
}

/** Refuses a server older than 2.10 (its filtered reads are far too slow) or one without JetStream. */
function checkServer(nc: NatsConnection, servers: readonly string[]): void {
  const version = nc.info?.version ?? "";
  if (!versionAtLeast(version, natsServerVersionMin)) {
    throw new NatsEngineError(`NATS at ${servers.join(",")} is nats-server ${version || "of an unknown version"}; Tributary needs ${natsServerVersionMin} or later (docs/cluster.md says how to get it)`);
  }
  if (nc.info?.jetstream !== true) {
    throw new NatsEngineError(`JetStream is not enabled on NATS at ${nc.getServer()} (start nats-server with -js, or a jetstream {} block in its config)`);
  }
}

export function versionAtLeast(version: string, minimum: string): boolean {
  const parse = (text: string) => /^v?(\d+)\.(\d+)\.(\d+)/.exec(text)?.slice(1).map(Number);
  const have = parse(version);
  const want = parse(minimum)!;
  if (have === undefined) return false;
  for (let index = 0; index < 3; index++) {
    if (have[index]! !== want[index]!) return have[index]! > want[index]!;
  }
  return true;
}

/** Nodes must agree: once the catalog bucket exists, its replicas are the deployment's. */
async function existingReplicas(jsm: NatsContext["jsm"], prefix: string): Promise<number | undefined> {
  try {
    return (await jsm.streams.info(`KV_${catalogBucketName(prefix)}`)).config.num_replicas;
  } catch {
    return undefined;
  }
}

/** 3 when the server reports a cluster of 3 or more servers (the client URLs it gossips), else 1. */
function clusterReplicas(nc: NatsConnection): number {
  const info = nc.info;
  if (info?.cluster === undefined) return 1;
  const servers = new Set(info.connect_urls ?? []);
  return servers.size >= 3 ? 3 : 1;
}

async function closeAll(parts: readonly NatsPart[], nc: NatsConnection, logger: Logger): Promise<void> {
  // The parts stop their watches and consumers first; then drain flushes what is in flight.
  for (const part of [...parts].reverse()) {
    await part.close().catch((error: unknown) => logger.warn({ err: error }, "closing a part of the NATS engine failed"));
  }
  if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
}
