import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClockAlarms, ShardNotifier, Subscriptions, Waker } from "../../src/streams/subscriptions/index.js";
import { ServiceError } from "../../src/protocol/service-error.js";
import { ManualClock } from "../../src/util/clock.js";

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("subscriptions > waker", () => {
  it("subscriptions > waker > remembers a wake that came before the wait", async () => {
    const waker = new Waker();
    waker.wake();
    assert.equal(await settled(waker.wait()), true);
  });

  it("subscriptions > waker > forgets wakes before a clear", async () => {
    const waker = new Waker();
    waker.wake();
    waker.clear();
    const waiting = waker.wait();
    assert.equal(await settled(waiting), false);
    waker.wake();
    assert.equal(await settled(waiting), true);
  });
});

describe("subscriptions > shard notifier", () => {
  it("subscriptions > shard notifier > wakes the watchers of that shard only", async () => {
    const notifier = new ShardNotifier();
    const [a, b] = [new Waker(), new Waker()];
    const unwatchA = notifier.watch("s1", 0, a);
    notifier.watch("s1", 1, b);
    const [waitingA, waitingB] = [a.wait(), b.wait()];
    notifier.notify("s1", 0);
    notifier.notify("s2", 1);
    assert.equal(await settled(waitingA), true);
    assert.equal(await settled(waitingB), false);
    unwatchA();
    a.clear();
    const again = a.wait();
    notifier.notify("s1", 0);
    assert.equal(await settled(again), false);
  });

  it("subscriptions > shard notifier > forgets a shard and a stream once nobody watches", () => {
    const notifier = new ShardNotifier();
    const unwatch = notifier.watch("s1", 3, new Waker());
    assert.equal(notifier.watcherCount(), 1);
    unwatch();
    assert.equal(notifier.watcherCount(), 0);
    assert.equal((notifier as unknown as { byStream: Map<string, unknown> }).byStream.size, 0);
  });
});

describe("subscriptions > clock alarms", () => {
  it("subscriptions > clock alarms > fires on tick only once the clock has reached the alarm", () => {
    const clock = new ManualClock(1_000_000);
    const alarms = new ClockAlarms(clock);
    const fired: string[] = [];
    alarms.at(1_005_000, () => fired.push("heartbeat"));
    const cancelled = alarms.at(1_004_000, () => fired.push("cancelled"));
    alarms.at(1_300_000, () => fired.push("end"));
    cancelled.cancel();
    clock.advance(4999);
    alarms.tick();
    assert.deepEqual(fired, []);
    clock.advance(1);
    alarms.tick();
    alarms.tick();
    assert.deepEqual(fired, ["heartbeat"]);
    assert.equal(alarms.size(), 1);
    alarms.cancelAll();
    assert.equal(alarms.size(), 0);
  });
});

describe("subscriptions > claims", () => {
  const inUse = () => new ServiceError("ResourceInUseException", "in use", 400);

  it("subscriptions > claims > refuses a claim within 5 seconds of the last, even a released one", () => {
    const clock = new ManualClock(0);
    const subscriptions = new Subscriptions(clock);
    const first = subscriptions.claim("arn", 0, 0, inUse);
    subscriptions.release(first);
    assert.throws(() => subscriptions.claim("arn", 0, 4999, inUse), /in use/);
    subscriptions.claim("arn", 1, 4999, inUse);
    subscriptions.claim("arn", 0, 5000, inUse);
    subscriptions.stop();
  });

  it("subscriptions > claims > stops the previous subscription when a later call takes over", () => {
    const clock = new ManualClock(0);
    const subscriptions = new Subscriptions(clock);
    const first = subscriptions.claim("arn", 0, 0, inUse);
    let stopped = 0;
    first.onStop(() => stopped++);
    const second = subscriptions.claim("arn", 0, 5000, inUse);
    assert.equal(first.stopReason, "taken-over");
    assert.equal(stopped, 1);
    assert.equal(second.stopReason, undefined);
    assert.equal(subscriptions.activeCount(), 1);
    subscriptions.stop();
    assert.equal(second.stopReason, "server-stopped");
  });

  it("subscriptions > claims > end 5 minutes after the call", () => {
    const clock = new ManualClock(0);
    const subscriptions = new Subscriptions(clock);
    const claim = subscriptions.claim("arn", 0, 0, inUse);
    clock.set(5 * 60 * 1000 - 1);
    subscriptions.tick();
    assert.equal(claim.stopReason, undefined);
    clock.set(5 * 60 * 1000);
    subscriptions.tick();
    assert.equal(claim.stopReason, "ended");
    subscriptions.release(claim);
    assert.equal(subscriptions.activeCount(), 0);
  });
});
