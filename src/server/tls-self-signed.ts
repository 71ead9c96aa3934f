/**
 * `--tls` without a certificate: a self-signed one kept in the data directory, generated on the
 * first start and reused after, so a client told to trust it keeps trusting it. It is made anew
 * when it is missing or unreadable, its key does not match, it expires within a day, or it does
 * not name the host the server listens on.
 *
 * Files: `<data-dir>/tls/self-signed-cert.pem` (0644) and `self-signed-key.pem` (0600), each
 * written to a temporary name and renamed, so a crash never leaves half a key.
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import { chmod, readFile, rename, writeFile } from "node:fs/promises";
import { makeDirectories } from "../storage/embedded/fs-port.js";
import { hostname } from "node:os";
import { isIP } from "node:net";
import { join } from "node:path";
import { createSelfSignedCertificate, type TlsMaterial } from "./tls-certificate.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";

/** Long enough to forget about, short enough that a copied key does not outlive its use. */
export const selfSignedValidityMs = 365 * 24 * 60 * 60 * 1000;
/** A certificate this close to its end is replaced at start rather than left to expire mid-run. */
const renewBeforeMs = 24 * 60 * 60 * 1000;

export interface SelfSignedDeps {
  dataDir: string;
  /** The `--host` the server listens on; a wildcard (0.0.0.0, ::) adds nothing beyond the defaults. */
  host: string;
  clock: Clock;
  random: Random;
  logger: Logger;
}

export function selfSignedPaths(dataDir: string): { dir: string; cert: string; key: string } {
  const dir = join(dataDir, "tls");
  return { dir, cert: join(dir, "self-signed-cert.pem"), key: join(dir, "self-signed-key.pem") };
}

/** The names the certificate must cover: localhost, loopback, this machine's name, and a specific --host. */
function namesFor(host: string): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = new Set(["localhost"]);
  const ipAddresses = new Set(["127.0.0.1", "::1"]);
  const machine = hostname();
  if (/^[A-Za-z0-9.-]+$/.test(machine)) dnsNames.add(machine);
  if (isIP(host) !== 0) {
    if (host !== "0.0.0.0" && host !== "::") ipAddresses.add(host);
  } else if (/^[A-Za-z0-9.-]+$/.test(host)) {
    dnsNames.add(host);
  }
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
}

export async function loadOrCreateSelfSigned(deps: SelfSignedDeps): Promise<TlsMaterial> {
  const paths = selfSignedPaths(deps.dataDir);
  const names = namesFor(deps.host);
  const existing = await readExisting(paths);
  const nowMs = deps.clock.nowMs();
  const reason = existing === undefined ? "none yet" : staleReason(existing, names, nowMs);
  if (reason === undefined) {
    deps.logger.info({ cert: paths.cert, key: paths.key }, "TLS: using the self-signed certificate in the data directory");
    return existing!;
  }
  const material = createSelfSignedCertificate({ commonName: "Tributary self-signed", ...names, nowMs, validityMs: selfSignedValidityMs, random: deps.random });
  // Not mkdir's `recursive`, which loops forever under /proc (--data-dir /proc/foo hung).
  await makeDirectories(paths.dir, 0o700);
  await writeAtomically(paths.key, material.key, 0o600);
  await writeAtomically(paths.cert, material.cert, 0o644);
  deps.logger.info({ cert: paths.cert, key: paths.key, reason, names: [...names.dnsNames, ...names.ipAddresses] }, "TLS: generated a self-signed certificate; trust the cert file in clients");
  return material;
}

async function readExisting(paths: { cert: string; key: string }): Promise<TlsMaterial | undefined> {
  try {
    return { cert: await readFile(paths.cert, "utf8"), key: await readFile(paths.key, "utf8") };
  } catch {
    return undefined;
  }
}

/** Why the stored certificate cannot be used, or undefined when it can. */
function staleReason(material: TlsMaterial, names: { dnsNames: string[]; ipAddresses: string[] }, nowMs: number): string | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(material.cert);
    if (!certificate.checkPrivateKey(createPrivateKey(material.key))) return "its key does not match";
  } catch {
    return "it cannot be read";
  }
  if (Date.parse(certificate.validTo) - renewBeforeMs <= nowMs) return "it expires";
  for (const dnsName of names.dnsNames) if (certificate.checkHost(dnsName) === undefined) return `it does not name ${dnsName}`;
  for (const address of names.ipAddresses) if (certificate.checkIP(address) === undefined) return `it does not name ${address}`;
  return undefined;
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, text, { mode });
  // writeFile's mode applies only when it creates the file; a leftover temporary keeps its own.
  await chmod(temporary, mode);
  await rename(temporary, path);
}
