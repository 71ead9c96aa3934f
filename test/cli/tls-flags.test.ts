/**
 * `tributary server --tls-cert PATH --tls-key PATH`, `--tls` and their TRIBUTARY_TLS_* variables:
 * TLS on the same port as plain HTTP, a self-signed pair generated in the data directory on
 * first start and reused after, and every way of giving TLS wrongly stopping the start.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { connect } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envName, serverOptions } from "../../src/cli/server-options.js";
import { createSelfSignedCertificate, type TlsMaterial } from "../../src/server/tls-certificate.js";
import { selfSignedPaths } from "../../src/server/tls-self-signed.js";
import { SeededRandom } from "../../src/util/random.js";
import { jsonCall } from "../helpers/raw.js";
import { runCli, startCliServer, type CliServer } from "./cli-process.js";

function httpsUrlOf(server: CliServer): string {
  const match = /listening on http:\/\/\S+ and (https:\/\/\S+) /.exec(server.stdout());
  assert.ok(match, `no https URL in: ${server.stdout()}`);
  return match[1]!;
}

/** ListStreams over HTTP/1.1 and TLS, trusting `ca`; resolves with the status and the certificate served. */
function listStreamsOverTls(url: string, ca: string): Promise<{ status: number; servedCert: Buffer }> {
  const target = new URL(url);
  const body = "{}";
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: "POST",
        agent: false,
        ca,
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams", "content-length": body.length },
      },
      (res) => {
        const servedCert = (res.socket as import("node:tls").TLSSocket).getPeerCertificate().raw;
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, servedCert }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function derOf(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}

function pairIn(dir: string, seed: number): { material: TlsMaterial; certPath: string; keyPath: string } {
  const material = createSelfSignedCertificate({
    commonName: "cli-test",
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
    nowMs: Date.now(),
    validityMs: 86_400_000,
    random: new SeededRandom(seed),
  });
  const certPath = join(dir, `cert-${seed}.pem`);
  const keyPath = join(dir, `key-${seed}.pem`);
  writeFileSync(certPath, material.cert);
  writeFileSync(keyPath, material.key, { mode: 0o600 });
  return { material, certPath, keyPath };
}

describe("cli > server > tls", { concurrency: 3 }, () => {
  it("cli > server > tls > --help lists --tls as a switch and the file flags with their variables", async () => {
    for (const [flag, variable] of [["tls", "TRIBUTARY_TLS"], ["tls-cert", "TRIBUTARY_TLS_CERT"], ["tls-key", "TRIBUTARY_TLS_KEY"]]) {
      const spec = serverOptions.find((candidate) => candidate.flag === flag);
      assert.ok(spec, `no --${flag}`);
      assert.equal(envName(spec.flag), variable);
    }
    const result = await runCli(["server", "--help"]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split("\n");
    assert.ok(lines.some((line) => /^ {2}--tls +serve TLS too, .*\(default false; env TRIBUTARY_TLS\)$/.test(line)), result.stdout);
    assert.ok(lines.some((line) => line.startsWith("  --tls-cert <value>") && line.endsWith("env TRIBUTARY_TLS_CERT)")), result.stdout);
    assert.ok(lines.some((line) => line.startsWith("  --tls-key <value>") && line.endsWith("env TRIBUTARY_TLS_KEY)")), result.stdout);
  });

  it("cli > server > tls > --tls generates a self-signed pair in the data directory, serves both schemes, and reuses the pair", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tributary-cli-tls-"));
    try {
      const paths = selfSignedPaths(dataDir);
      const first = await startCliServer({ args: ["--port", "0", "--tls"], dataDir });
      let cert: string;
      try {
        const httpsUrl = httpsUrlOf(first);
        assert.equal(new URL(httpsUrl).port, new URL(first.url).port);
        cert = readFileSync(paths.cert, "utf8");
        assert.equal(statSync(paths.key).mode & 0o777, 0o600);
        await first.waitForStderr(paths.cert);
        assert.match(first.stderr(), /TLS: generated a self-signed certificate/);
        const answer = await listStreamsOverTls(httpsUrl, cert);
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.servedCert, derOf(cert));
        assert.equal((await jsonCall(first.url, "ListStreams", {})).statusCode, 200);
      } finally {
        assert.deepEqual(await first.stop(), { code: 0, signal: null });
      }
      // TRIBUTARY_TLS turns it on as well; the pair on disk is served again, not replaced.
      const second = await startCliServer({ args: ["--port", "0"], env: { TRIBUTARY_TLS: "true" }, dataDir });
      try {
        await second.waitForStderr("TLS: using the self-signed certificate");
        assert.equal(readFileSync(paths.cert, "utf8"), cert);
        assert.deepEqual((await listStreamsOverTls(httpsUrlOf(second), cert)).servedCert, derOf(cert));
      } finally {
        assert.deepEqual(await second.stop(), { code: 0, signal: null });
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("cli > server > tls > --tls-cert and --tls-key serve the given pair (and TRIBUTARY_TLS_* the same)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-cli-tls-pair-"));
    try {
      const { material, certPath, keyPath } = pairIn(dir, 1);
      const byFlags = await startCliServer({ args: ["--port", "0", "--tls-cert", certPath, "--tls-key", keyPath] });
      try {
        const answer = await listStreamsOverTls(httpsUrlOf(byFlags), material.cert);
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.servedCert, derOf(material.cert));
      } finally {
        assert.deepEqual(await byFlags.stop(), { code: 0, signal: null });
      }
      const byEnv = await startCliServer({ args: ["--port", "0"], env: { TRIBUTARY_TLS_CERT: certPath, TRIBUTARY_TLS_KEY: keyPath } });
      try {
        assert.deepEqual((await listStreamsOverTls(httpsUrlOf(byEnv), material.cert)).servedCert, derOf(material.cert));
      } finally {
        assert.deepEqual(await byEnv.stop(), { code: 0, signal: null });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("cli > server > tls > without TLS options the port speaks plain HTTP only", async () => {
    const server = await startCliServer({ args: ["--port", "0"] });
    try {
      assert.doesNotMatch(server.stdout(), /https:/);
      const target = new URL(server.url);
      await assert.rejects(
        new Promise((resolve, reject) => {
          const socket = connect({ host: target.hostname, port: Number(target.port), rejectUnauthorized: false }, () => resolve(socket));
          socket.on("error", reject);
        }),
      );
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null });
    }
  });

  it("cli > server > tls > giving TLS wrongly stops the start and says why", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-cli-tls-bad-"));
    try {
      const one = pairIn(dir, 1);
      const other = pairIn(dir, 2);
      const cases: { args: string[]; env?: Record<string, string>; stderr: RegExp }[] = [
        { args: ["--tls-cert", one.certPath], stderr: /^tributary: --tls-cert needs --tls-key\n$/ },
        { args: ["--tls-key", one.keyPath], stderr: /^tributary: --tls-key needs --tls-cert\n$/ },
        { args: ["--tls", "--tls-cert", one.certPath, "--tls-key", one.keyPath], stderr: /^tributary: give TLS one way: --tls-cert and --tls-key, or --tls/ },
        { args: ["--tls-cert", one.certPath, "--tls-key", other.keyPath], stderr: new RegExp(`^tributary: cannot serve TLS with ${one.certPath} and ${other.keyPath}: .*key values mismatch`) },
        { args: ["--tls-cert", join(dir, "missing.pem"), "--tls-key", one.keyPath], stderr: /^tributary: cannot read the TLS certificate .*missing\.pem: ENOENT/ },
        { args: [], env: { TRIBUTARY_TLS: "maybe" }, stderr: /^tributary: TRIBUTARY_TLS must be true or false \(or 1 or 0\), got maybe$/m },
      ];
      for (const { args, env, stderr } of cases) {
        const result = await runCli(["server", "--port", "0", ...args], env);
        assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
        assert.match(result.stderr, stderr);
        assert.equal(result.stdout, "");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
