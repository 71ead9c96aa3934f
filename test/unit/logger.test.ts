/**
 * `--log-format` (src/util/logger.ts, docs/logging.md): JSON lines for collectors, pino-pretty's
 * lines for a terminal (`auto` picks by whether stderr is one), access-log entries as one line.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createLogger, resolveLogFormat } from "../../src/util/logger.js";
import { waitFor } from "../helpers/wait.js";

/** A destination that keeps what is written (pino writes strings; pino-pretty pipes Buffers or strings). */
function capture(): { stream: Writable & { write: (chunk: string) => boolean }; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return { stream: stream as Writable & { write: (chunk: string) => boolean }, text: () => chunks.join("") };
}

const accessEntry = { requestId: "8f0c", method: "POST", service: "kinesis", action: "PutRecord", resource: "orders", status: 200, latencyMs: 0.84, bytesIn: 85, bytesOut: 110, protocol: "h1" };

describe("util > logger > format", () => {
  it("auto is pretty on a terminal and JSON otherwise; pretty and json are themselves", () => {
    assert.deepEqual(
      [resolveLogFormat("auto", true), resolveLogFormat("auto", false), resolveLogFormat("pretty", false), resolveLogFormat("json", true)],
      ["pretty", "json", "pretty", "json"],
    );
  });

  it("json writes one JSON object a line, at the level asked", async () => {
    const { stream, text } = capture();
    const logger = createLogger("info", "json", stream);
    logger.debug({ hidden: true }, "not at info");
    logger.info({ access: accessEntry }, "request");
    await waitFor("the line", () => text().includes("\n"));
    const lines = text().trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines.length, 1);
    assert.deepEqual([lines[0]!.level, lines[0]!.msg, lines[0]!.access], [30, "request", accessEntry]);
  });

  it("pretty writes an access entry as one readable line and other fields below their message", async () => {
    const { stream, text } = capture();
    const logger = createLogger("info", "pretty", stream);
    logger.info({ access: { ...accessEntry, status: 400, errorType: "ResourceNotFoundException" } }, "request");
    logger.warn({ streams: 3 }, "init file applied");
    await waitFor("both entries", () => text().includes("streams: 3"));
    const lines = text().split("\n");
    const access = lines.find((line) => line.includes("PutRecord"));
    assert.ok(access !== undefined);
    assert.match(access, /INFO.*: POST kinesis PutRecord orders → 400 ResourceNotFoundException 0\.84 ms 85 B in 110 B out h1 8f0c$/);
    assert.ok(!text().includes('"access"') && !text().includes("access:"), "the entry's fields are not dumped again");
    assert.ok(!text().trimStart().startsWith("{"), "not JSON");
    assert.match(text(), /WARN.*: init file applied\n\s+streams: 3/);
  });
});

describe("util > logger > stderr", () => {
  it("batched info lines (written as bytes) and warnings all reach stderr whole and in order, at exit too", async () => {
    const { spawn } = await import("node:child_process");
    // A process logging to its own stderr through the real writer: multi-byte text across batch ends, a warning in between.
    const script = `
      import { createLogger } from "./src/util/logger.ts";
      const logger = createLogger("info", "json");
      for (let i = 0; i < 300; i++) {
        logger.info({ n: i, text: "ströme-流-" + "x".repeat(i % 97) }, "line");
        if (i === 150) logger.warn({ n: i }, "warning");
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: process.cwd(), stdio: ["ignore", "ignore", "pipe"] });
    const chunks: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0);
    const entries = Buffer.concat(chunks).toString("utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as { n: number; msg: string; text?: string });
    assert.deepEqual(
      entries.map((entry) => `${entry.msg}:${entry.n}`),
      [...Array.from({ length: 151 }, (_, i) => `line:${i}`), "warning:150", ...Array.from({ length: 149 }, (_, i) => `line:${i + 151}`)],
    );
    assert.equal(entries[1]!.text, "ströme-流-x");
  });
});
