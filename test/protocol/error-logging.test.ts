/**
 * How the pipeline logs 5xx answers: a failure of the server's own (storage that cannot make a
 * write durable) at error level with its cause, and the InternalFailure / ServiceUnavailable that
 * fault injection raises on purpose only at debug level, so a fault rule firing on every call
 * does not flood the log.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { pino } from "pino";
import { startApp, requestBytesMaxDefault, type RunningApp } from "../../src/server/app.js";
import { createMemoryEngine } from "../../src/storage/index.js";
import type { Expectation, StorageEngine } from "../../src/storage/types.js";
import { defaultStreamsConfig, parseFaultRules } from "../../src/streams/index.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import { jsonCall } from "../helpers/raw.js";

interface LogLine {
  level: number;
  msg: string;
  action?: string;
  err?: { message?: string };
}
const debugLevel = 20;
const errorLevel = 50;

/** A memory engine whose catalog refuses writes while `failing` is set, as a full disk would. */
function failableStorage(): { storage: StorageEngine; setFailing(failing: boolean): void } {
  const storage = createMemoryEngine(systemRandom);
  const put = storage.catalog.put.bind(storage.catalog) as (accountId: string, name: string, entry: object, expect?: Expectation) => Promise<unknown>;
  let failing = false;
  storage.catalog.put = ((accountId: string, name: string, entry: object, expect?: Expectation) =>
    failing ? Promise.resolve({ ok: false, failure: { kind: "no-space", message: "disk full" } }) : put(accountId, name, entry, expect)) as typeof storage.catalog.put;
  return { storage, setFailing: (value) => (failing = value) };
}

describe("protocol > error logging", () => {
  const lines: LogLine[] = [];
  const logger = pino({ level: "debug", base: undefined }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const { storage, setFailing } = failableStorage();
  let app: RunningApp;
  before(async () => {
    const rules = parseFaultRules(JSON.stringify({
      seed: 1,
      rules: [
        { action: "ListStreams", fault: "internal-failure", schedule: { calls: [1, 2, 3] } },
        { action: "DescribeLimits", fault: "service-unavailable", schedule: { calls: [1, 2, 3] } },
      ],
    }));
    assert.ok(rules.ok);
    app = await startApp({
      clock: systemClock,
      random: systemRandom,
      logger,
      storage,
      config: {
        host: "127.0.0.1",
        port: 0,
        requestBytesMax: requestBytesMaxDefault,
        streams: { ...defaultStreamsConfig, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 },
        faults: rules.config,
      },
    });
  });
  after(() => app.stop());
  const linesAbout = (action: string) => lines.filter((line) => line.action === action);

  it("logs injected InternalFailure and ServiceUnavailable answers at debug level only", async () => {
    for (let call = 0; call < 3; call++) {
      assert.equal((await jsonCall(app.url, "ListStreams", {})).statusCode, 500);
      assert.equal((await jsonCall(app.url, "DescribeLimits", {})).statusCode, 503);
    }
    for (const action of ["ListStreams", "DescribeLimits"]) {
      const logged = linesAbout(action);
      assert.equal(logged.filter((line) => line.msg === "injected fault answered").length, 3, action);
      assert.deepEqual(logged.filter((line) => line.level > debugLevel), [], action);
    }
  });

  it("still logs a 5xx of the server's own at error level, with its cause", async () => {
    setFailing(true);
    try {
      const response = await jsonCall(app.url, "CreateStream", { StreamName: "undurable", ShardCount: 1 });
      assert.equal(response.statusCode, 500);
      assert.equal(response.body.__type, "InternalFailure");
    } finally {
      setFailing(false);
    }
    const failed = linesAbout("CreateStream").filter((line) => line.level === errorLevel);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.msg, "request failed");
    assert.ok(failed[0]!.err !== undefined, "the cause is logged");
  });
});
