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
