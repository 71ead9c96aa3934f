/**
 * The NATS engine under the storage case suite (test/storage/cases.ts): each case opens its engine
 * under a prefix of its own, so it starts on empty data, and removes what that prefix made when it
 * ends. A reopen is a new engine on the same prefix; the second handle, another LogStore over the
 * node's own log state; the follower, a second engine on the prefix (what a second node holds).
 */
import type { StorageHarness } from "../storage/cases.js";
import type { NatsCluster } from "../helpers/nats.js";
import { createNatsEngine, type NatsEngine } from "../../src/storage/nats/nats-engine.js";
import { secondNatsLogHandle } from "../../src/storage/nats/nats-logs.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

let engineCount = 0;
let prefixCount = 0;

export function openNatsEngine(on: NatsCluster, prefix: string): Promise<NatsEngine> {
  // A seed per engine: each engine's node id comes from it, and two nodes must not share one.
  return createNatsEngine({ servers: on.urls, prefix }, { clock: systemClock, random: new SeededRandom(++engineCount), logger: silentLogger });
}

export function freshPrefix(): string {
  return `t${process.pid}-${++prefixCount}`;
}

/** Removes every JetStream stream (KV buckets and object stores included) the prefix named. */
export async function removePrefix(on: NatsCluster, prefix: string): Promise<void> {
  const jsm = await (await on.connection()).jetstreamManager();
  const names: string[] = [];
  for await (const name of jsm.streams.names()) names.push(name);
  const ours = (name: string) => [prefix + "-", `KV_${prefix}-`, `OBJ_${prefix}-`].some((start) => name.startsWith(start));
  await Promise.all(names.filter(ours).map((name) => jsm.streams.delete(name)));
}

export async function natsHarness(on: NatsCluster): Promise<StorageHarness> {
  const prefix = freshPrefix();
  let engine = await openNatsEngine(on, prefix);
  const others: NatsEngine[] = [];
  return {
    engine,
    async reopen() {
      await engine.close();
      engine = await openNatsEngine(on, prefix);
      return engine;
    },
    // A second handle on this node's logs (the suite asks for what it hears synchronously).
    secondLogs: () => secondNatsLogHandle(engine.logs),
    // A second node's handle: an engine of its own on the same prefix.
    follower: async () => {
      const other = await openNatsEngine(on, prefix);
      others.push(other);
      return { logs: other.logs, close: () => other.close() };
    },
    async cleanup() {
      await Promise.all([engine, ...others].map((open) => open.close()));
      await removePrefix(on, prefix);
    },
  };
}
