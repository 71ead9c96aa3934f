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

export function createTlsTerminator(material: TlsMaterial, route: (socket: TLSSocket, protocol: "h2" | "http/1.1") => void): TlsTerminator {
  const server = createTlsServer({ cert: material.cert, key: material.key, ALPNProtocols: ["h2", "http/1.1"] }, (socket) => {
    route(socket, socket.alpnProtocol === "h2" ? "h2" : "http/1.1");
  });
  // A failed handshake (a client that does not trust the certificate, a port scanner) ends that
  // connection only; the TLS server already destroys the socket.
  server.on("tlsClientError", () => {});
  return { accept: (socket) => server.emit("connection", socket) };
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
