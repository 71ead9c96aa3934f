/**
 * Preloaded into a server child process (NODE_OPTIONS=--require …) by test/cli/decode-bomb.test.ts:
 * measures the process's own event loop (perf_hooks.monitorEventLoopDelay, 5 ms resolution) and,
 * on SIGUSR2, collects garbage (when --expose-gc) and writes one stderr line
 * `{"loopProbe":{"n":…,"maxDelayMs":…,"p99DelayMs":…,"maxGcMs":…,"rssBytes":…}}`, then starts a fresh window
 * (the forced collection's own pause comes after the delay is read, and is not counted).
 */
"use strict";
const { monitorEventLoopDelay, PerformanceObserver } = require("node:perf_hooks");

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
let reports = 0;
// The longest garbage collection pause in the window: tells a loop delay from the collector apart from one of ours.
let maxGcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) maxGcMs = Math.max(maxGcMs, entry.duration);
}).observe({ entryTypes: ["gc"] });

/**
 * A tick every 2 ms: the longest gap between ticks, and the longest gap in which this process
 * also used that much CPU time (the smaller of the two). On a shared machine a process waits for
 * a core too, which lengthens gaps without any work of its own; a gap the process spent busy is
 * the event loop kept from running by work.
 */
const tickMs = 2;
let lastTick = performance.now();
let lastCpu = process.cpuUsage();
let maxGapMs = 0;
let maxBusyGapMs = 0;
setInterval(() => {
  const now = performance.now();
  const cpu = process.cpuUsage();
  const gapMs = now - lastTick - tickMs;
  const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
  maxGapMs = Math.max(maxGapMs, gapMs);
  maxBusyGapMs = Math.max(maxBusyGapMs, Math.min(gapMs, cpuMs));
  lastTick = now;
  lastCpu = cpu;
}, tickMs).unref();

process.on("SIGUSR2", () => {
  const maxDelayMs = histogram.max / 1e6;
  // (Read before the collection below, whose own pause belongs to no window.)
  const p99DelayMs = histogram.percentile(99) / 1e6;
  const window = { maxGcMs, maxGapMs, maxBusyGapMs };
  if (typeof global.gc === "function") {
    global.gc();
    global.gc();
  }
  // V8 hands freed pages back to the system from a background thread: RSS read at once still
  // counts some of them, more or less by chance (seen: ±23 MB between identical windows). A
  // moment later it has settled.
  setTimeout(() => {
    if (typeof global.gc === "function") global.gc();
    const rssBytes = process.memoryUsage().rss;
    process.stderr.write(JSON.stringify({ loopProbe: { n: ++reports, maxDelayMs, p99DelayMs, ...window, rssBytes } }) + "\n");
    histogram.reset();
    maxGcMs = 0;
    maxGapMs = 0;
    maxBusyGapMs = 0;
  }, rssSettleMs);
});

const rssSettleMs = 200;
