/**
 * `tributary logs`: its arguments, and how it pages through the log route and follows it, over a
 * fake route (the end-to-end run against a server with a real function is logs-command.test.ts).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { parseLogsArguments, printLogs, type LogEvent, type LogsArguments } from "../../src/cli/logs-command.js";
import { ManualClock } from "../../src/util/clock.js";
import { runCli } from "./cli-process.js";

const nowMs = Date.UTC(2025, 0, 1, 12, 0, 0);

describe("cli > logs > arguments", () => {
  it("the function alone > defaults: the local server, ten minutes back, everything, no follow", () => {
    assert.deepEqual(parseLogsArguments(["my-fn"], nowMs), {
      ok: true,
      help: false,
      args: { functionName: "my-fn", endpoint: "http://127.0.0.1:4567", sinceMs: nowMs - 600_000, limit: undefined, follow: false },
    });
  });

  it("every option, before or after the function, with = or a separate value", () => {
    const parsed = parseLogsArguments(["--since", "2h", "my-fn", "--endpoint=http://10.0.0.5:4567/", "--limit", "20", "--follow"], nowMs);
    assert.deepEqual(parsed, {
      ok: true,
      help: false,
      args: { functionName: "my-fn", endpoint: "http://10.0.0.5:4567", sinceMs: nowMs - 7_200_000, limit: 20, follow: true },
    });
  });

  it("--since > durations in s, m, h, d, w and ISO 8601 times", () => {
    const since = (text: string) => {
      const parsed = parseLogsArguments(["fn", "--since", text], nowMs);
      return parsed.ok && !parsed.help ? parsed.args.sinceMs : parsed;
    };
    assert.equal(since("30s"), nowMs - 30_000);
    assert.equal(since("1d"), nowMs - 86_400_000);
    assert.equal(since("1w"), nowMs - 604_800_000);
    assert.equal(since("2025-01-01T11:00:00Z"), nowMs - 3_600_000);
    assert.equal(since("2025-01-01"), Date.UTC(2025, 0, 1));
  });

  const bad: Array<[string[], string, boolean]> = [
    [[], "name the function: tributary logs <function>", true],
    [["a", "b"], "one function at a time, got a b", true],
    [["fn", "--since", "yesterday"], "--since must be a duration (30s, 10m, 2h, 1d) or an ISO 8601 time, got yesterday", false],
    [["fn", "--since", "10x"], "--since must be a duration (30s, 10m, 2h, 1d) or an ISO 8601 time, got 10x", false],
    [["fn", "--limit", "0"], "--limit must be a whole number from 1, got 0", false],
    [["fn", "--endpoint", "localhost:4567"], "--endpoint must be an http:// or https:// URL, got localhost:4567", false],
    [["fn", "--tail"], "Unknown option '--tail'", true],
    [["fn", "--limit"], "--limit needs a value: a whole number from 1", false],
  ];
  for (const [argv, message, showHelp] of bad) {
    it(`${argv.join(" ") || "(nothing)"} > ${message}`, () => {
      assert.deepEqual(parseLogsArguments(argv, nowMs), { ok: false, message, showHelp });
    });
  }

  it("--help > the help", () => {
    assert.deepEqual(parseLogsArguments(["--help"], nowMs), { ok: true, help: true });
  });
});

/** A route over a growing list of events, answering as the server does (from start, inclusive, oldest first). */
function fakeRoute(events: LogEvent[]) {
  const requests: Array<{ startMs: number; limit: number }> = [];
  return {
    requests,
    readPage: async (_endpoint: string, _name: string, startMs: number, limit: number) => {
      requests.push({ startMs, limit });
      return events.filter((event) => event.timestampMs >= startMs).slice(0, limit);
    },
  };
}

function args(fields: Partial<LogsArguments> = {}): LogsArguments {
  return { functionName: "fn", endpoint: "http://x", sinceMs: 0, limit: undefined, follow: false, ...fields };
}

const at = (timestampMs: number, message: string): LogEvent => ({ timestampMs, message });

describe("cli > logs > printing", () => {
  it("pages through everything since --since, each line once, lines sharing a millisecond included", async () => {
    // 2,500 events, many per millisecond, so pages end inside a millisecond.
    const events = Array.from({ length: 2_500 }, (_, index) => at(1_000 + Math.floor(index / 7), `line ${index}\n`));
    const route = fakeRoute(events);
    const lines: string[] = [];
    await printLogs(args(), { clock: new ManualClock(nowMs), write: (line) => lines.push(line), readPage: route.readPage });
    assert.equal(lines.length, 2_500);
    assert.equal(lines[0], `${new Date(1_000).toISOString()} line 0\n`, "a trailing newline of the message is not doubled");
    assert.equal(lines[2_499], `${new Date(1_000 + Math.floor(2_499 / 7)).toISOString()} line 2499\n`);
    assert.deepEqual(new Set(lines).size, 2_500);
  });

  it("--since > nothing older is asked for", async () => {
    const route = fakeRoute([at(5, "old"), at(10, "new")]);
    const lines: string[] = [];
    await printLogs(args({ sinceMs: 10 }), { clock: new ManualClock(nowMs), write: (line) => lines.push(line), readPage: route.readPage });
    assert.deepEqual(lines, [`${new Date(10).toISOString()} new\n`]);
    assert.equal(route.requests[0]!.startMs, 10);
  });

  it("--limit > only the last N lines", async () => {
    const route = fakeRoute(Array.from({ length: 1_500 }, (_, index) => at(index, `line ${index}`)));
    const lines: string[] = [];
    await printLogs(args({ limit: 3 }), { clock: new ManualClock(nowMs), write: (line) => lines.push(line), readPage: route.readPage });
    assert.deepEqual(lines.map((line) => line.split(" ").slice(1).join(" ")), ["line 1497\n", "line 1498\n", "line 1499\n"]);
  });

  it("--follow > new lines as they come, polling every second on the clock, until aborted", async () => {
    const events = [at(1, "START"), at(1, "hello")];
    const route = fakeRoute(events);
    const clock = new ManualClock(nowMs);
    const lines: string[] = [];
    const stop = new AbortController();
    const done = printLogs(args({ follow: true }), { clock, write: (line) => lines.push(line), readPage: route.readPage }, stop.signal);
    await waitUntil(() => lines.length === 2);
    events.push(at(1, "same millisecond"), at(2, "END"));
    await clock.advanceAsync(1_000);
    await waitUntil(() => lines.length === 4);
    assert.deepEqual(lines.map((line) => line.slice(25)), ["START\n", "hello\n", "same millisecond\n", "END\n"]);
    stop.abort();
    await clock.advanceAsync(1_000);
    await done;
  });
});

describe("cli > logs > command", () => {
  it("tributary logs with no server > exits 1 with one line saying it cannot reach it", async () => {
    const port = await closedPort();
    const result = await runCli(["logs", "fn", "--endpoint", `http://127.0.0.1:${port}`]);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr, `tributary: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });

  it("tributary logs without a function > exits 2 with the reason and the help", async () => {
    const result = await runCli(["logs"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^tributary: name the function: tributary logs <function>\n\nUsage: tributary logs <function> \[options\]\n/);
  });

  it("tributary --help > names the logs command", async () => {
    const result = await runCli(["--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /\n {2}logs {10}print a Lambda function's log lines from a running server \(tributary logs --help\)\n/);
  });
});

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntil(check: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !check(); attempt++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(check(), "condition reached");
}
