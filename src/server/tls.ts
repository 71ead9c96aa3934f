/**
 * TLS on the listener's port: a connection whose first byte is 0x16 (a TLS handshake record; no
 * HTTP/1 request or HTTP/2 preface starts with it) is terminated here, offering ALPN "h2" then
 * "http/1.1", and the decrypted socket goes to the HTTP/2 server when the client chose h2, to
 * the HTTP/1 server otherwise (a client without ALPN speaks HTTP/1.1, as RFC 7540 §3.3 has it).
 */
import { createSecureContext, createServer as createTlsServer, type TLSSocket } from "node:tls";
import type { Socket } from "node:net";
import type { TlsMaterial } from "./tls-certificate.js";

export type { TlsMaterial } from "./tls-certificate.js";

export const tlsHandshakeRecordType = 0x16;

export interface TlsTerminator {
  /** Takes a sniffed socket (its first bytes unshifted back) and runs the handshake on it. */
  accept(socket: Socket): void;
}

/** `raw`: the listener's socket the decrypted one reads from (its deadlines and accounting stay with it). */
export type TlsRoute = (socket: TLSSocket, protocol: "h2" | "http/1.1", raw: Socket) => void;

export function createTlsTerminator(material: TlsMaterial, route: TlsRoute): TlsTerminator {
  // Sockets in their handshake, by the client's address and port: unique among the connections
  // to this one port, and the same on the decrypted socket (documented on both, unlike the link
  // between them).
  const handshaking = new Map<string, Socket>();
  const keyOf = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;
  const server = createTlsServer({ cert: material.cert, key: material.key, ALPNProtocols: ["h2", "http/1.1"] }, (socket) => {
    const raw = handshaking.get(keyOf(socket));
    handshaking.delete(keyOf(socket));
    if (raw === undefined) {
      socket.destroy();
      return;
    }
    route(socket, socket.alpnProtocol === "h2" ? "h2" : "http/1.1", raw);
  });
  // A failed handshake (a client that does not trust the certificate, a port scanner) ends that
  // connection only; the TLS server already destroys the socket.
  server.on("tlsClientError", () => {});
  return {
    accept(socket) {
      const key = keyOf(socket);
      handshaking.set(key, socket);
      socket.once("close", () => {
        if (handshaking.get(key) === socket) handshaking.delete(key);
      });
      server.emit("connection", socket);
    },
  };
}

/** Why a certificate and key cannot serve TLS (unreadable PEM, a key that does not match), or undefined. */
export function tlsMaterialProblem(material: TlsMaterial): string | undefined {
  try {
    createSecureContext({ cert: material.cert, key: material.key });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
