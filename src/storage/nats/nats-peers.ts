/**
 * The peer bus on NATS (src/storage/peer-bus.ts): core NATS subjects `<prefix>.peers.<topic>`,
 * nothing in JetStream. Each message carries its sender's node id in the `Tributary-Node` header,
 * so a node skips its own (NATS echoes a connection's messages to its own subscriptions).
 */
import { headers } from "nats";
import { assertPeerTopic, type PeerBus } from "../peer-bus.js";
import type { NatsContext } from "./nats-context.js";

const nodeHeader = "Tributary-Node";

export function natsPeerBus(ctx: NatsContext): PeerBus {
  const subjectOf = (topic: string) => {
    assertPeerTopic(topic);
    return `${ctx.prefix}.peers.${topic}`;
  };
  const from = headers();
  from.set(nodeHeader, ctx.nodeId);
  return {
    nodeId: ctx.nodeId,
    publish(topic, payload) {
      const subject = subjectOf(topic);
      try {
        ctx.nc.publish(subject, payload, { headers: from });
      } catch (error) {
        // A closed or draining connection: the message is lost, as the bus allows.
        ctx.logger.debug({ err: error, subject }, "peer message not sent");
      }
    },
    subscribe(topic, listener) {
      const subscription = ctx.nc.subscribe(subjectOf(topic), {
        callback: (error, message) => {
          if (error !== null) return;
          const sender = message.headers?.get(nodeHeader) ?? "";
          if (sender === ctx.nodeId) return;
          try {
            listener(message.data, sender);
          } catch (listenerError) {
            ctx.logger.error({ err: listenerError, topic }, "peer message listener failed");
          }
        },
      });
      return { stop: () => subscription.unsubscribe() };
    },
  };
}
