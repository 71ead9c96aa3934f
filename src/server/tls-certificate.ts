/**
 * A self-signed X.509 v3 certificate for `--tls`, built with our DER encoder (src/util/der.ts)
 * and node:crypto's keys and signatures. The key is ECDSA P-256 (fast to generate, accepted by
 * OpenSSL, Java, Python and the SDKs); the certificate names `localhost`, the loopback addresses
 * and whatever host names and addresses the caller adds, in subjectAltName, which is what TLS
 * clients check (RFC 6125).
 *
 * ```
 * Certificate    = SEQUENCE { tbsCertificate, AlgorithmIdentifier ecdsa-with-SHA256, signature BIT STRING }
 * tbsCertificate = SEQUENCE { [0] version 2 (v3), serialNumber, AlgorithmIdentifier, issuer Name,
 *                             validity SEQUENCE { notBefore, notAfter }, subject Name (= issuer),
 *                             subjectPublicKeyInfo, [3] extensions }
 * extensions     = basicConstraints cA (critical), keyUsage digitalSignature+keyCertSign (critical),
 *                  extKeyUsage serverAuth, subjectAltName, subjectKeyIdentifier
 * ```
 *
 * It is its own CA (cA true, keyCertSign), so a client can trust exactly this certificate as a root
 * (NODE_EXTRA_CA_CERTS, `ca:`, a trust store) without any chain.
 */
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import {
  derBitString, derBoolean, derExplicit, derImplicitPrimitive, derObjectIdentifier, derOctetString, derSequence, derSet,
  derSmallInteger, derTime, derUnsignedInteger, derUtf8String,
} from "../util/der.js";
import type { Random } from "../util/random.js";

export interface TlsMaterial {
  /** PEM certificate (chain). */
  cert: string;
  /** PEM private key. */
  key: string;
}

export interface SelfSignedOptions {
  commonName: string;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  nowMs: number;
  validityMs: number;
  random: Random;
}

const oid = {
  commonName: "2.5.4.3",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  serverAuth: "1.3.6.1.5.5.7.3.1",
};

/** Clocks disagree: a certificate valid only from this instant would be refused by a client a little behind. */
const backdateMs = 60 * 60 * 1000;

/**
 * @example createSelfSignedCertificate({ commonName: "Tributary", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], nowMs, validityMs, random })
 */
export function createSelfSignedCertificate(options: SelfSignedOptions): TlsMaterial {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const algorithm = derSequence(derObjectIdentifier(oid.ecdsaWithSha256));
  const name = derSequence(derSet(derSequence(derObjectIdentifier(oid.commonName), derUtf8String(options.commonName))));
  const serial = options.random.bytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and never zero, as RFC 5280 requires

  const tbs = derSequence(
    derExplicit(0, derSmallInteger(2)),
    derUnsignedInteger(serial),
    algorithm,
    name,
    derSequence(derTime(options.nowMs - backdateMs), derTime(options.nowMs + options.validityMs)),
    name,
    spki,
    derExplicit(3, derSequence(...extensions(options, spki))),
  );
  const signature = sign("sha256", tbs, privateKey); // DER ECDSA-Sig-Value, as X.509 wants it
  const certificate = derSequence(tbs, algorithm, derBitString(signature));
  return {
    cert: pem("CERTIFICATE", certificate),
    key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
  };
}

function extensions(options: SelfSignedOptions, spki: Buffer): Buffer[] {
  const extension = (id: string, critical: boolean, value: Buffer) =>
    critical ? derSequence(derObjectIdentifier(id), derBoolean(true), derOctetString(value)) : derSequence(derObjectIdentifier(id), derOctetString(value));
  const alternativeNames = [
    ...options.dnsNames.map((dnsName) => derImplicitPrimitive(2, Buffer.from(dnsName, "ascii"))),
    ...options.ipAddresses.map((address) => derImplicitPrimitive(7, ipAddressBytes(address))),
  ];
  return [
    extension(oid.basicConstraints, true, derSequence(derBoolean(true))),
    // digitalSignature (bit 0) and keyCertSign (bit 5): 0b1000_0100, the last two bits unused.
    extension(oid.keyUsage, true, derBitString(Buffer.from([0x84]), 2)),
    extension(oid.extKeyUsage, false, derSequence(derObjectIdentifier(oid.serverAuth))),
    extension(oid.subjectAltName, false, derSequence(...alternativeNames)),
    extension(oid.subjectKeyIdentifier, false, derOctetString(createHash("sha1").update(spki).digest())),
  ];
}

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address as subjectAltName's iPAddress wants it. */
export function ipAddressBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split(".").map(Number));
  if (!isIPv6(address)) throw new Error(`not an IP address: ${address}`);
  let text = address.replace(/%.*$/, "");
  // A trailing dotted IPv4 part (::ffff:1.2.3.4) is two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split(".").map(Number) as [number, number, number, number];
    text = text.slice(0, dotted.index) + ((a << 8) | b).toString(16) + ":" + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.includes("::") ? text.split("::") as [string, string] : [text, undefined];
  const groups = (part: string | undefined) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const headGroups = groups(head);
  const tailGroups = groups(tail);
  const all = tail === undefined ? headGroups : [...headGroups, ...new Array<number>(8 - headGroups.length - tailGroups.length).fill(0), ...tailGroups];
  const out = Buffer.alloc(16);
  all.forEach((group, index) => out.writeUInt16BE(group, index * 2));
  return out;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
