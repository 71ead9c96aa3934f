/**
 * Every connection the listener accepts, with the deadline of the phase it is in and what it is
 * waiting for (src/server/connection-limits.ts has the values and why):
 *
 *   accepted ──sniff (idleMs, whole preface)──▶ TLS handshake (tlsHandshakeMs) ──▶ HTTP/1.1 or HTTP/2
 *   HTTP/1.1: first request (idleMs) · headers (headersMs, Node's parser clock) · body (bodyIdleMs,
 *             request-body.ts) · between requests (idleMs, Node's keep-alive timeout)
 *   HTTP/2:   no open stream (idleMs, then GOAWAY) · body (bodyIdleMs per stream) · after our
 *             GOAWAY, or the client's once its open streams have ended, or a rapid reset of
 *             streams (goawayGraceMs, then destroyed)
 *
 * and the cap on connections: at `connectionsMax` a new connection closes the oldest one that is
 * waiting on its client, or is refused when all are being served.
 *
 * Deadlines on sockets are wall time against the peer: they run on the transport's clock (the
 * system clock unless a test drives them, never the service's injected clock, which tests stop
 * and move), unref'd so they never keep a stopping process alive.
 */
import type { Socket } from "node:net";
import { constants, type Http2Session } from "node:http2";
import type { ConnectionLimits } from "./connection-limits.js";
import type { Logger } from "../util/logger.js";
import { systemClock, type Clock, type Timer } from "../util/clock.js";

/**
 * Streams a client may reset beyond those it let finish before its session counts as a
 * rapid-reset flood (CVE-2023-44487): nghttp2's own reset budget is a burst of 1,000, after which
 * it sends GOAWAY but — in Node — leaves the socket open; we then close it.
 */
export const resetStreamsAheadMax = 1_000;

export interface Connection {
  readonly socket: Socket;
  /** The decrypted socket over `socket`, when TLS: it owns the descriptor once the handshake began. */
  tlsSocket?: Socket;
  session?: Http2Session;
  /** Requests in the handler whose response has not closed. */
  requests: number;
  /** Of those, the ones still reading their body: waiting on the client, not on us. */
  readingBodies: number;
  deadline?: Timer | undefined;
  /** Set once the connection is being closed for good (a GOAWAY grace running, or destroyed). */
  closing?: Timer;
  /** The client sent GOAWAY while streams were open: the grace starts once the last one ends. */
  goawayReceived?: boolean;
}

export class ConnectionGuard {
  /** In order of acceptance, so the first waiting one found is the oldest. */
  private readonly open = new Set<Connection>();
  private readonly bySocket = new WeakMap<object, Connection>();
  private readonly bySession = new WeakMap<Http2Session, Connection>();
  /** Connections closed to make room, and refused, since the start (for logs and tests). */
  evicted = 0;
  refused = 0;

  constructor(
    readonly limits: ConnectionLimits,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** A socket just accepted: counted, or refused (destroyed) when every open connection is being served. */
  admit(socket: Socket): Connection | undefined {
    if (this.open.size >= this.limits.connectionsMax && !this.evictOldestWaiting()) {
      this.refused++;
      if (this.refused === 1 || this.refused % 1000 === 0) {
        this.logger.warn({ connections: this.open.size, refused: this.refused }, "connection refused: every connection is busy at the cap");
      }
      socket.destroy();
      return undefined;
    }
    const connection: Connection = { socket, requests: 0, readingBodies: 0 };
    this.open.add(connection);
    this.bySocket.set(socket, connection);
    socket.once("close", () => {
      this.disarm(connection);
      this.clock.clearTimer(connection.closing);
      this.open.delete(connection);
    });
    return connection;
  }

  /** Destroys the connection unless the phase ends (`disarm`) within `ms`. */
  arm(connection: Connection, ms: number, phase: string): void {
    this.disarm(connection);
    connection.deadline = this.clock.setTimeout(
      () => {
        this.logger.debug({ phase, ms }, "connection closed at its deadline");
        this.destroy(connection);
      },
      ms,
      { unref: true },
    );
  }

  disarm(connection: Connection): void {
    this.clock.clearTimer(connection.deadline);
    connection.deadline = undefined;
  }

  /** A TLS socket speaks for the raw one it decrypts. */
  alias(connection: Connection, socket: Socket): void {
    connection.tlsSocket = socket;
    this.bySocket.set(socket, connection);
  }

  /** The connection of a socket the listener accepted (or its TLS alias). */
  connectionOf(socket: Socket): Connection | undefined {
    return this.bySocket.get(socket);
  }

  /** The connection a request arrived on (an HTTP/1 socket, raw or TLS, or an HTTP/2 session). */
  of(request: { socket: object; stream?: { session?: Http2Session } }): Connection | undefined {
    const session = request.stream?.session;
    return session ? this.bySession.get(session) : this.bySocket.get(request.socket);
  }

  requestStarted(connection: Connection | undefined): void {
    if (!connection) return;
    connection.requests++;
    // The first request on an HTTP/1 connection ends its wait for one; on HTTP/2 the session's own idle timer runs.
    if (!connection.session) this.disarm(connection);
  }

  requestEnded(connection: Connection | undefined): void {
    if (!connection) return;
    connection.requests--;
    // setTimeout without a callback re-arms the session's idle timer: it may have fired (and been
    // ignored) while this request was being served.
    if (connection.requests === 0 && connection.goawayReceived === true) this.closeGracefully(connection, "goaway received");
    else if (connection.requests === 0 && connection.session && !connection.session.destroyed) connection.session.setTimeout(this.limits.idleMs);
  }

  /** An HTTP/2 session on `connection`: idle close, GOAWAY grace, rapid-reset flood. */
  attachSession(connection: Connection, session: Http2Session): void {
    connection.session = session;
    this.disarm(connection);
    this.bySession.set(session, connection);
    session.setTimeout(this.limits.idleMs);
    session.on("timeout", () => {
      // With streams open the session is not idle: their bodies have their own deadline, and an
      // event stream may legitimately be quiet.
      if (connection.requests === 0) this.closeGracefully(connection, "idle");
    });
    // The client said it opens no more streams; one that then keeps the socket open is not let
    // to. The streams it has open go on to their own end: the SDKs for JavaScript send GOAWAY as
    // soon as an event stream's answer arrives (its session is the stream's alone), then read
    // SubscribeToShard's events for minutes. Their deadlines stay theirs (bodies, a reader that
    // stopped reading, the subscription's 5 minutes).
    session.on("goaway", () => {
      if (connection.requests === 0) this.closeGracefully(connection, "goaway received");
      else connection.goawayReceived = true;
    });
    let resets = 0;
    let finished = 0;
    session.on("stream", (stream) => {
      stream.once("close", () => {
        if (stream.rstCode === undefined || stream.rstCode === constants.NGHTTP2_NO_ERROR) {
          finished++;
          return;
        }
        resets++;
        if (resets === finished + resetStreamsAheadMax + 1) {
          this.logger.warn({ resets, finished }, "HTTP/2 rapid reset: session closed");
          this.closeGracefully(connection, "rapid reset", constants.NGHTTP2_ENHANCE_YOUR_CALM);
        }
      });
    });
  }

  /** Sends GOAWAY (HTTP/2) and destroys the connection after goawayGraceMs, whatever is still open. */
  closeGracefully(connection: Connection, reason: string, code: number = constants.NGHTTP2_NO_ERROR): void {
    if (connection.closing) return;
    this.logger.debug({ reason }, "connection closing");
    connection.closing = this.clock.setTimeout(() => this.destroy(connection), this.limits.goawayGraceMs, { unref: true });
    const session = connection.session;
    if (!session) {
      (connection.tlsSocket ?? connection.socket).end();
      return;
    }
    try {
      if (code === constants.NGHTTP2_NO_ERROR) session.close();
      else session.goaway(code);
    } catch {
      // Already destroyed, or nghttp2 has terminated the session itself: the grace timer ends it.
    }
  }

  destroy(connection: Connection): void {
    this.disarm(connection);
    if (connection.session && !connection.session.destroyed) connection.session.destroy();
    // Destroying only the raw socket under a TLS one leaves the descriptor open (the TLS socket took its handle).
    connection.tlsSocket?.destroy();
    connection.socket.destroy();
  }

  /** Closes the oldest connection that waits on its client; false when every one is being served. */
  private evictOldestWaiting(): boolean {
    for (const connection of this.open) {
      if (connection.requests === connection.readingBodies) {
        this.evicted++;
        if (this.evicted === 1 || this.evicted % 1000 === 0) {
          this.logger.warn({ connections: this.open.size, evicted: this.evicted }, "connection cap reached: closed the oldest waiting connection");
        }
        this.open.delete(connection);
        this.destroy(connection);
        return true;
      }
    }
    return false;
  }
}
