/**
 * Programmer-error assertions. A failed assertion is a bug in Tributary, never bad input:
 * it is not caught and turned into a wire error except by the last-resort InternalFailure handler.
 */
export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}

export class AssertionFailure extends Error {
  override name = "AssertionFailure";
}
