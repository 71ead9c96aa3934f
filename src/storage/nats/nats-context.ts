/**
 * What every part of the NATS JetStream engine (docs/formats/nats.md, docs/cluster.md) shares: one
 * connection to the cluster, its JetStream clients, and the settings every JetStream stream, KV
 * bucket and object store the engine creates is made with. The parts — catalog (nats-catalog.ts),
 * shard logs (nats-logs.ts), tables (nats-tables.ts), objects (nats-objects.ts) — are each opened
 * with this context by nats-engine.ts and closed before the connection is drained.
 */
import type { JetStreamClient, JetStreamManager, NatsConnection } from "nats";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import type { Logger } from "../../util/logger.js";

export interface NatsContext {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Replicas of every JetStream stream, KV bucket and object store the engine creates (`--nats-replicas`). */
  readonly replicas: number;
  /**
   * Prefix of every JetStream name and subject the engine uses (`tributary` by default), so two
   * Tributary deployments (or two tests) can share one NATS cluster without seeing each other.
   * Letters, digits, `-` and `_` only.
   */
  readonly prefix: string;
  /** This node's id, fixed for the process's life: items a node owns (metrics, leases) carry it. */
  readonly nodeId: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
}

/** A part of the engine: closed (watches and consumers stopped, nothing in flight) before the connection drains. */
export interface NatsPart {
  close(): Promise<void>;
}
