/**
 * The per-stream write gate: how a reshard closes shards without losing a write or letting one
 * land in a shard after its endingOffset is fixed.
 *
 * A PutRecord/PutRecords enters the gate before it routes its records by the stream's shards and
 * leaves once its appends have settled. A reshard closes the gate (new writes wait), waits for the
 * writes inside to drain, reads the closing shards' endOffsets, stores the new shard map, and
 * opens the gate: the waiting writes then read the stream again and route to the new shards.
 *
 * The common case — no reshard in progress — costs a map lookup and a counter per request.
 *
 * @example
 *   let gate = context.streams.writeGates.of(meta.streamId);
 *   if (!gate.enter()) ({ meta, gate } = await enterWhenOpen(context, input, gate));
 *   try { route and append } finally { gate.leave(); }
 */
import type { StreamMeta } from "../model.js";
import type { StreamsContext } from "../context.js";
import type { StreamReference } from "../stream-registry.js";
import { assert } from "../../util/assert.js";
import { requireWritableStream } from "./writable-stream.js";

export class WriteGate {
  private inFlight = 0;
  /** Set while closed: resolves when the gate opens again. */
  private opened: Promise<void> | undefined;
  private openNow: (() => void) | undefined;
  private onDrained: (() => void) | undefined;

  /** Admits one write, unless a reshard has closed the gate; then the write must wait (enterWhenOpen). */
  enter(): boolean {
    if (this.opened !== undefined) return false;
    this.inFlight++;
    return true;
  }

  /** Called once per successful enter(), after the write's appends have settled. */
  leave(): void {
    this.inFlight--;
    assert(this.inFlight >= 0, "write gate left more often than entered");
    if (this.inFlight === 0 && this.onDrained) {
      const drained = this.onDrained;
      this.onDrained = undefined;
      drained();
    }
  }

  /** Holds new writes back until open(). */
  close(): void {
    if (this.opened !== undefined) return;
    this.opened = new Promise((resolve) => (this.openNow = resolve));
  }

  open(): void {
    const openNow = this.openNow;
    this.opened = undefined;
    this.openNow = undefined;
    openNow?.();
  }

  /** Resolves once no admitted write is in flight (call with the gate closed, or it may never settle). */
  drained(): Promise<void> {
    assert(this.opened !== undefined, "drain a closed gate only");
    if (this.inFlight === 0) return Promise.resolve();
    assert(this.onDrained === undefined, "one drain at a time");
    return new Promise((resolve) => (this.onDrained = resolve));
  }

  whenOpen(): Promise<void> {
    return this.opened ?? Promise.resolve();
  }
}

/** One gate per stream incarnation (streamId). */
export class WriteGates {
  private readonly gates = new Map<string, WriteGate>();

  of(streamId: string): WriteGate {
    let gate = this.gates.get(streamId);
    if (gate === undefined) {
      gate = new WriteGate();
      this.gates.set(streamId, gate);
    }
    return gate;
  }

  /** Releases a deleted stream's gate. */
  forget(streamId: string): void {
    this.gates.delete(streamId);
  }
}

/**
 * A write's slow path: waits for the closed gate to open, reads the stream again (its shards have
 * changed) and enters that stream's gate. Loops only while reshards keep falling due back to back.
 */
export async function enterWhenOpen(
  context: StreamsContext,
  reference: StreamReference,
  closed: WriteGate,
): Promise<{ meta: StreamMeta; gate: WriteGate }> {
  let gate = closed;
  for (;;) {
    await gate.whenOpen();
    const meta = requireWritableStream(context, reference);
    gate = context.streams.writeGates.of(meta.streamId);
    if (gate.enter()) return { meta, gate };
  }
}
