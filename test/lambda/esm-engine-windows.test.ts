/**
 * lambda > event sources > tumbling windows: a final invocation (isFinalInvokeForWindow) that fails
 * is retried as any batch is — with the window's state unchanged, up to MaximumRetryAttempts —
 * and the shard then goes on with the next window.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { harness, payloadOf, type Harness, type KinesisEvent } from "./esm-harness.js";
import { sleep, waitFor } from "../helpers/wait.js";

function summing(event: KinesisEvent): Record<string, number> {
  const state = { ...(event.state as Record<string, number>) };
  for (const record of event.Records) state.sum = (state.sum ?? 0) + payloadOf(record).n;
  return state;
}

describe("lambda > event sources > tumbling windows", () => {
  const harnesses: Harness[] = [];
  after(() => Promise.all(harnesses.map((h) => h.stop())));

  it("a failed final invocation is retried with the same state until it succeeds", async () => {
    const h = await harness(1);
    harnesses.push(h);
    let finalFailures = 0;
    h.handler = (event) => {
      if (event.isFinalInvokeForWindow) {
        if (finalFailures < 2) {
          finalFailures += 1;
          return { functionError: "Unhandled", payload: { errorMessage: "final failed" } };
        }
        return { payload: { state: event.state } };
      }
      return { payload: { state: summing(event) } };
    };
    await h.createMapping({ StartingPosition: "LATEST", TumblingWindowInSeconds: 1, BatchSize: 5, MaximumRetryAttempts: 3 });
    await h.put(Array.from({ length: 12 }, (_, n) => ({ key: "w", n })));
    await waitFor("the final invocation succeeded", () => h.invocations.filter((each) => each.event.isFinalInvokeForWindow).length >= 3, 10_000);
    const finals = h.invocations.filter((each) => each.event.isFinalInvokeForWindow).map((each) => each.event);
    assert.equal(finals.length, 3);
    for (const final of finals) {
      assert.deepEqual(final.Records, []);
      assert.deepEqual(final.state, { sum: 66 });
      assert.deepEqual(final.window, finals[0]!.window);
    }
    await sleep(1_500);
    assert.equal(h.invocations.filter((each) => each.event.isFinalInvokeForWindow).length, 3, "no invocation after the success");
  });

  it("a final invocation that keeps failing is given up after MaximumRetryAttempts; the next window goes on", async () => {
    const h = await harness(1);
    harnesses.push(h);
    h.handler = (event) => (event.isFinalInvokeForWindow ? { functionError: "Unhandled", payload: { errorMessage: "final failed" } } : { payload: { state: summing(event) } });
    await h.createMapping({ StartingPosition: "LATEST", TumblingWindowInSeconds: 1, BatchSize: 5, MaximumRetryAttempts: 1 });
    await h.put([{ key: "w", n: 1 }]);
    await waitFor("the first window's final invocation given up", () => h.invocations.filter((each) => each.event.isFinalInvokeForWindow).length >= 2, 10_000);
    await sleep(1_100);
    await h.put([{ key: "w", n: 2 }]);
    await waitFor("the second window's records", () => h.delivered().length >= 2, 10_000);
    await waitFor("the second window's final invocations", () => new Set(h.invocations.filter((each) => each.event.isFinalInvokeForWindow).map((each) => each.event.window!.start)).size >= 2, 10_000);
    await sleep(500);
    const finals = h.invocations.filter((each) => each.event.isFinalInvokeForWindow).map((each) => each.event);
    const byWindow = new Map<string, number>();
    for (const final of finals) byWindow.set(final.window!.start, (byWindow.get(final.window!.start) ?? 0) + 1);
    assert.deepEqual([...byWindow.values()], [2, 2], "each window's final invocation: the first try and one retry");
    assert.deepEqual(finals.map((final) => final.state), [{ sum: 1 }, { sum: 1 }, { sum: 2 }, { sum: 2 }]);
  });

  it("an answer without `state` is a failed invocation (Lambda's rule for tumbling windows): the batch is retried with the state it had", async () => {
    const h = await harness(1);
    harnesses.push(h);
    let stateless = 0;
    h.handler = (event) => {
      if (!event.isFinalInvokeForWindow && event.Records.length > 0 && stateless < 2) {
        stateless += 1;
        return { payload: { batchItemFailures: [] } };
      }
      return { payload: { state: event.isFinalInvokeForWindow ? event.state : summing(event) } };
    };
    await h.createMapping({ StartingPosition: "LATEST", TumblingWindowInSeconds: 1, BatchSize: 100, MaximumRetryAttempts: 5 });
    await h.put(Array.from({ length: 4 }, (_, n) => ({ key: "w", n: n + 1 })));
    await waitFor("the window's final invocation", () => h.invocations.some((each) => each.event.isFinalInvokeForWindow), 10_000);
    const withRecords = h.invocations.filter((each) => each.event.Records.length > 0).map((each) => each.event);
    assert.equal(withRecords.length, 3, "two stateless answers, then the one that counts");
    for (const event of withRecords) assert.deepEqual(event.state, {}, "each retry starts from the state before the batch");
    const final = h.invocations.find((each) => each.event.isFinalInvokeForWindow)!.event;
    assert.deepEqual(final.state, { sum: 10 });
  });
});
