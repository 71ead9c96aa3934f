/**
 * How long a connection may keep the server waiting in each phase, and how many may be open at
 * once. Every phase that waits on the client has a deadline, so no client — silent, slow or
 * hostile — holds a socket and its descriptor for ever. The values are AWS's where AWS documents
 * one: Elastic Load Balancing closes a connection after 60 seconds without data either way (its
 * default idle timeout, "send at least 1 byte of data before each idle timeout period elapses"),
 * answering 408 to a client that stopped sending its request; DynamoDB's endpoints were measured
 * closing idle keep-alive connections after 60 s (aws/aws-sdk-java#1365). SubscribeToShard is
 * not held to the idle deadlines: its stream stays open up to 5 minutes and may be quiet between
 * events; its end is the subscription's (src/streams/subscriptions/).
 */
import { readFileSync } from "node:fs";

export interface ConnectionLimits {
  /**
   * Without a byte from the client: a new connection before it says which protocol it speaks
   * (the whole HTTP/2 preface included), an HTTP/1.1 connection between requests (sent to
   * clients as `Keep-Alive: timeout=…`), an HTTP/2 session with no open stream, and a response
   * the client stopped reading. Then the connection is closed (HTTP/2: GOAWAY first).
   */
  idleMs: number;
  /** A TLS handshake from its first byte to its end. */
  tlsHandshakeMs: number;
  /** An HTTP/1.1 request's header block from its first byte (then 408 and close, as Node answers). */
  headersMs: number;
  /** A request body with no bytes arriving: a stalled upload (408 and close; HTTP/2: that stream only). */
  bodyIdleMs: number;
  /**
   * An HTTP/2 session sent GOAWAY (by us, or by nghttp2's own flood protection after a rapid
   * reset of streams) has this long to finish before it is destroyed.
   */
  goawayGraceMs: number;
  /**
   * Open connections at once. At the cap a new connection closes the oldest one that is waiting
   * on its client (idle, sniffing, handshaking, sending headers or a body), so a flood of stalled
   * connections cannot lock out /health; when every connection is being served, the new one is
   * refused. Lowered to fit the process's descriptor limit (`descriptorHeadroom`).
   */
  connectionsMax: number;
}

export const connectionLimitsDefault: Readonly<ConnectionLimits> = Object.freeze({
  idleMs: 60_000,
  // A handshake is a few round trips; Node's own default (120 s) would let a scanner hold a socket for minutes.
  tlsHandshakeMs: 10_000,
  // Node's default headersTimeout, and ELB's idle timeout.
  headersMs: 60_000,
  bodyIdleMs: 60_000,
  goawayGraceMs: 1_000,
  connectionsMax: 4_096,
});

/**
 * Connections may use at most this share of the descriptors the process may open: the rest is
 * for storage (segment files, the catalog, the lock) and for accepting at all.
 */
export const descriptorShareForConnections = 0.75;

/** The limits to serve with: the defaults, overridden by `given`, the cap fitted to `descriptorLimit`. */
export function resolveConnectionLimits(given: Partial<ConnectionLimits> | undefined, descriptorLimit = openFilesLimit()): ConnectionLimits {
  const limits = { ...connectionLimitsDefault, ...given };
  if (descriptorLimit !== undefined) {
    limits.connectionsMax = Math.max(1, Math.min(limits.connectionsMax, Math.floor(descriptorLimit * descriptorShareForConnections)));
  }
  return limits;
}

/** The soft RLIMIT_NOFILE of this process, where /proc says it (Linux); undefined elsewhere or when unlimited. */
export function openFilesLimit(limitsText = readProcLimits()): number | undefined {
  const match = limitsText === undefined ? null : /^Max open files\s+(\d+|unlimited)\s/m.exec(limitsText);
  return match === null || match[1] === "unlimited" ? undefined : Number(match[1]);
}

function readProcLimits(): string | undefined {
  try {
    return readFileSync("/proc/self/limits", "utf8");
  } catch {
    return undefined;
  }
}
