/**
 * Waiting in tests on wall time: a pause, and polling until a condition holds. Code under test
 * takes time from the injected clock (src/util/clock.ts); these are for the tests around it.
 */

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `intervalMs` until it holds; rejects with `what` once `timeoutMs` have passed.
 * A guard against hanging, not a performance bound, unless a test passes its own deadline.
 *
 * @example await waitFor("the stream is ACTIVE", async () => (await status()) === "ACTIVE");
 */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, intervalMs = 10): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
