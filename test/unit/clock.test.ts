/** The scheduling clock: ManualClock fires timers in time order as a test moves it; systemClock is Node's timers. */
import { it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, systemClock } from "../../src/util/clock.js";

it("ManualClock fires timeouts in time order, each seeing its own due time", () => {
  const clock = new ManualClock(1_000);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`c@${clock.nowMs()}`), 300);
  clock.setTimeout(() => fired.push(`a@${clock.nowMs()}`), 100);
  clock.setTimeout(() => fired.push(`b@${clock.nowMs()}`), 200);
  clock.advance(99);
  assert.equal(fired.length, 0);
  assert.equal(clock.nowMs(), 1_099);
  clock.advance(150);
  assert.deepEqual(fired, ["a@1100", "b@1200"]);
  assert.equal(clock.nowMs(), 1_249);
  clock.advance(1_000);
  assert.deepEqual(fired, ["a@1100", "b@1200", "c@1300"]);
  assert.equal(clock.nowMs(), 2_249);
  assert.equal(clock.pendingTimers(), 0);
});

it("ManualClock fires timers due at the same time in the order they were scheduled", () => {
  const clock = new ManualClock(0);
  const fired: number[] = [];
  for (let i = 0; i < 5; i++) clock.setTimeout(() => fired.push(i), 50);
  clock.advance(50);
  assert.deepEqual(fired, [0, 1, 2, 3, 4]);
});

it("ManualClock fires an interval once per period, interleaved with timeouts", () => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  const interval = clock.setInterval(() => fired.push(`tick@${clock.nowMs()}`), 100);
  clock.setTimeout(() => fired.push(`once@${clock.nowMs()}`), 250);
  clock.advance(350);
  assert.deepEqual(fired, ["tick@100", "tick@200", "once@250", "tick@300"]);
  clock.clearTimer(interval);
  clock.advance(1_000);
  assert.equal(fired.length, 4);
  assert.equal(clock.pendingTimers(), 0);
});

it("ManualClock: a cleared timer never fires, and clearing twice or undefined is harmless", () => {
  const clock = new ManualClock(0);
  let fired = 0;
  const timer = clock.setTimeout(() => fired++, 10);
  clock.clearTimer(timer);
  clock.clearTimer(timer);
  clock.clearTimer(undefined);
  clock.advance(100);
  assert.equal(fired, 0);
});

it("ManualClock: a timer cleared by an earlier one in the same move does not fire", () => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  const later = clock.setTimeout(() => fired.push("later"), 20);
  clock.setTimeout(() => {
    fired.push("first");
    clock.clearTimer(later);
  }, 10);
  clock.advance(100);
  assert.deepEqual(fired, ["first"]);
});

it("ManualClock fires timers scheduled by timers within the same move, and not those beyond it", () => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  clock.setTimeout(() => {
    fired.push(`outer@${clock.nowMs()}`);
    clock.setTimeout(() => fired.push(`inner@${clock.nowMs()}`), 30);
    clock.setTimeout(() => fired.push(`beyond@${clock.nowMs()}`), 500);
  }, 40);
  clock.advance(100);
  assert.deepEqual(fired, ["outer@40", "inner@70"]);
  clock.advance(440);
  assert.deepEqual(fired, ["outer@40", "inner@70", "beyond@540"]);
});

it("ManualClock: refresh restarts a timer's countdown from now", () => {
  const clock = new ManualClock(0);
  const fired: number[] = [];
  const timer = clock.setTimeout(() => fired.push(clock.nowMs()), 100);
  clock.advance(80);
  timer.refresh();
  clock.advance(80);
  assert.equal(fired.length, 0);
  clock.advance(20);
  assert.deepEqual(fired, [180]);
});

it("ManualClock: a zero delay waits for runDue or a move; set() forward fires, back fires nothing", () => {
  const clock = new ManualClock(500);
  const fired: number[] = [];
  clock.setTimeout(() => fired.push(clock.nowMs()), 0);
  assert.equal(fired.length, 0);
  clock.runDue();
  assert.equal(fired.length, 0);
  clock.advance(1);
  assert.deepEqual(fired, [501]);
  clock.setTimeout(() => fired.push(clock.nowMs()), 100);
  clock.set(400);
  assert.deepEqual(fired, [501]);
  clock.set(700);
  assert.deepEqual(fired, [501, 601]);
  assert.equal(clock.nowMs(), 700);
});

it("ManualClock.sleep resolves when the clock reaches it, and an abort rejects it with the reason", async () => {
  const clock = new ManualClock(0);
  let woke = false;
  const sleeping = clock.sleep(1_000).then(() => (woke = true));
  clock.advance(999);
  await Promise.resolve();
  assert.equal(woke, false);
  clock.advance(1);
  await sleeping;
  assert.equal(woke, true);

  const controller = new AbortController();
  const aborted = clock.sleep(1_000, { signal: controller.signal });
  controller.abort(new Error("closed"));
  await assert.rejects(aborted, { message: "closed" });
  assert.equal(clock.pendingTimers(), 0);
  await assert.rejects(clock.sleep(5, { signal: controller.signal }), { message: "closed" });
});

it("ManualClock.advanceAsync lets awaited code schedule its next timer between timers", async () => {
  const clock = new ManualClock(0);
  const wokeAtMs: number[] = [];
  const loop = (async () => {
    for (let i = 0; i < 3; i++) {
      await clock.sleep(100);
      wokeAtMs.push(clock.nowMs());
    }
  })();
  // advance() alone fires only the first sleep: the next is scheduled by a promise continuation.
  clock.advance(300);
  assert.equal(wokeAtMs.length, 0);
  await clock.advanceAsync(300);
  await loop;
  assert.deepEqual(wokeAtMs, [300, 400, 500]);
});

it("systemClock schedules on Node's timers: timeouts, intervals, refresh, unref and sleep", async () => {
  const startedMs = Date.now();
  await systemClock.sleep(20);
  assert.ok(Date.now() - startedMs >= 19);

  let ticks = 0;
  await new Promise<void>((resolve) => {
    const interval = systemClock.setInterval(() => {
      if (++ticks === 3) {
        systemClock.clearTimer(interval);
        resolve();
      }
    }, 5);
  });
  assert.equal(ticks, 3);

  let fired = false;
  const cleared = systemClock.setTimeout(() => (fired = true), 5);
  systemClock.clearTimer(cleared);
  const unrefd = systemClock.setTimeout(() => undefined, 60_000, { unref: true }) as NodeJS.Timeout;
  assert.equal(unrefd.hasRef(), false);
  systemClock.clearTimer(unrefd);
  const refd = systemClock.setTimeout(() => undefined, 60_000) as NodeJS.Timeout;
  assert.equal(refd.hasRef(), true);
  systemClock.clearTimer(refd);
  await systemClock.sleep(20);
  assert.equal(fired, false);

  const controller = new AbortController();
  const sleeping = systemClock.sleep(60_000, { signal: controller.signal, unref: true });
  controller.abort(new Error("stop"));
  await assert.rejects(sleeping, { message: "stop" });
});
