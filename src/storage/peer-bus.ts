/**
 * The peer bus (docs/cluster.md, "Limits across nodes"): short messages between the Tributary
 * nodes that share one storage engine, none of them kept. Nodes use it for what must be counted
 * across the cluster but is not worth a durable write per request: what each node admitted against
 * a shared rate (a shard's 1 MiB/s, an API's calls a second), how many invocations of a function it
 * runs. Delivery is at most once and unordered between senders; a node that misses a message (it
 * was restarting, NATS was between servers) only counts that much less, for a moment.
 *
 * Engines that only one process opens (memory, embedded) have no bus (`StorageEngine.peers` is
 * absent): there are no peers. NATS carries it on core subjects `<prefix>.peers.<topic>`
 * (src/storage/nats/nats-peers.ts). Tests join several buses in one process with `createPeerHub`.
 *
 * @example
 *   const subscription = engine.peers?.subscribe("rates", (payload, fromNodeId) => apply(payload));
 *   engine.peers?.publish("rates", encoded);
 */

/** A topic: letters, digits, `-` and `_` (one NATS subject token). */
export const peerTopicPattern = /^[A-Za-z0-9_-]{1,64}$/;

export interface PeerSubscription {
  stop(): void;
}

export interface PeerBus {
  /** This node's id (the engine's): what other nodes receive as `fromNodeId`. */
  readonly nodeId: string;
  /** Sends `payload` to every other node subscribed to `topic` now. Never throws; a message that cannot go is dropped. */
  publish(topic: string, payload: Uint8Array): void;
  /** Calls `listener` with each message another node publishes on `topic` (never this node's own). */
  subscribe(topic: string, listener: (payload: Uint8Array, fromNodeId: string) => void): PeerSubscription;
}

export function assertPeerTopic(topic: string): void {
  if (!peerTopicPattern.test(topic)) throw new Error(`peer topic ${JSON.stringify(topic)} must be 1-64 letters, digits, - or _`);
}

type Listener = (payload: Uint8Array, fromNodeId: string) => void;

/**
 * Buses for several nodes in one process (tests): what one publishes reaches the others'
 * listeners on a later turn of the event loop, as a network would deliver it, never at once.
 */
export interface PeerHub {
  join(nodeId: string): PeerBus;
}

export function createPeerHub(): PeerHub {
  const listeners = new Map<string, Set<{ nodeId: string; listener: Listener }>>();
  return {
    join(nodeId: string): PeerBus {
      return {
        nodeId,
        publish(topic, payload) {
          assertPeerTopic(topic);
          const copy = Uint8Array.from(payload);
          for (const entry of listeners.get(topic) ?? []) {
            if (entry.nodeId !== nodeId) setImmediate(() => entry.listener(copy, nodeId));
          }
        },
        subscribe(topic, listener) {
          assertPeerTopic(topic);
          const entry = { nodeId, listener };
          let set = listeners.get(topic);
          if (set === undefined) listeners.set(topic, (set = new Set()));
          set.add(entry);
          return { stop: () => void set.delete(entry) };
        },
      };
    },
  };
}
