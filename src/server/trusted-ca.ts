/**
 * `--firehose-ca-file` (docs/firehose.md, "Trusted certificates"): a PEM file of one or more CA
 * certificates that Firehose's HTTPS destinations (HTTP endpoints, Splunk HEC, OpenSearch) and the
 * `--s3-endpoint` client trust in addition to Node's own list, for receivers behind a private CA
 * or a self-signed certificate. Read and parsed once at start: a file that cannot be read or holds
 * no certificate stops the start with a line saying so, rather than every delivery failing later.
 */
import { X509Certificate } from "node:crypto";
import { readFile, stat } from "node:fs/promises";

/** Far more than any CA bundle (the Mozilla list is ~220 KB); a bound so a wrong path cannot fill memory. */
export const trustedCaFileBytesMax = 4 * 1024 * 1024;

const pemCertificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The file's certificates as PEM text, or the reason it cannot be used (a string, for the StartError). */
export async function readTrustedCaFile(path: string): Promise<{ ok: true; pem: string; certificates: number } | { ok: false; message: string }> {
  let text: string;
  try {
    const sizeBytes = (await stat(path)).size;
    if (sizeBytes > trustedCaFileBytesMax) throw new Error(`it is ${sizeBytes} bytes; at most ${trustedCaFileBytesMax} are read`);
    text = await readFile(path, "utf8");
  } catch (error) {
    return { ok: false, message: `cannot read --firehose-ca-file ${path}: ${(error as Error).message}` };
  }
  const blocks = text.match(pemCertificate) ?? [];
  if (blocks.length === 0) return { ok: false, message: `--firehose-ca-file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` };
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return { ok: false, message: `--firehose-ca-file ${path}: certificate ${index + 1} cannot be read: ${(error as Error).message}` };
    }
  }
  return { ok: true, pem: blocks.join("\n") + "\n", certificates: blocks.length };
}
