/**
 * `--storage memory` keeps nothing on disk: the data directory is neither made nor printed. Only
 * `--tls` still keeps its self-signed pair there (so clients that trust it keep trusting it across
 * restarts), and then the ready line says where.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCliServer } from "./cli-process.js";

describe("cli > server > --storage memory", { concurrency: 2 }, () => {
  it("cli > server > --storage memory > neither makes nor prints the data directory", async () => {
    const parent = mkdtempSync(join(tmpdir(), "tributary-memory-"));
    const dataDir = join(parent, "data");
    try {
      const server = await startCliServer({ args: ["--port", "0", "--storage", "memory"], dataDir });
      try {
        assert.match(server.stdout(), /listening on http:\/\/127\.0\.0\.1:\d+ \(storage: memory\)\n$/);
        assert.equal(server.stdout().includes(dataDir), false);
        assert.equal((await fetch(`${server.url}/health`)).status, 200);
      } finally {
        assert.equal((await server.stop()).code, 0);
      }
      assert.equal(existsSync(dataDir), false);
      assert.deepEqual(readdirSync(parent), []);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("cli > server > --storage memory > --tls keeps only its certificate in the data directory and says so", async () => {
    const parent = mkdtempSync(join(tmpdir(), "tributary-memory-tls-"));
    const dataDir = join(parent, "data");
    try {
      const server = await startCliServer({ args: ["--port", "0", "--storage", "memory", "--tls"], dataDir });
      try {
        assert.match(server.stdout(), new RegExp(`\\(storage: memory, tls: ${join(dataDir, "tls").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\)\\n$`));
      } finally {
        assert.equal((await server.stop()).code, 0);
      }
      assert.deepEqual(readdirSync(dataDir), ["tls"]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
