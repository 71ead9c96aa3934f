/**
 * A timestamp decoded from the wire, kept apart from plain numbers so the shape checker knows
 * the unit: JSON sends epoch seconds (with fraction), CBOR sends epoch milliseconds under tag 1.
 */
export class WireTimestamp {
  constructor(readonly epochMs: number) {}
}
