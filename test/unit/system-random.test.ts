/** The system randomness's pool (src/util/random.ts): every draw fresh, never shared, any length. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { systemRandom } from "../../src/util/random.js";

describe("unit > system random", () => {
  it("unit > system random > draws across many pool refills are all distinct and of the length asked", () => {
    const seen = new Set<string>();
    for (let draw = 0; draw < 5000; draw++) {
      const length = 1 + (draw % 64);
      const bytes = systemRandom.bytes(length);
      assert.equal(bytes.length, length);
      if (length >= 8) {
        const hex = bytes.toString("hex");
        assert.ok(!seen.has(hex), "no draw of 8 bytes or more repeats");
        seen.add(hex);
      }
    }
    assert.equal(systemRandom.bytes(1024).length, 1024);
  });

  it("unit > system random > a draw is the caller's own: changing it changes no later draw", () => {
    const first = systemRandom.bytes(32);
    first.fill(0);
    const second = systemRandom.bytes(32);
    assert.notDeepEqual(second, Buffer.alloc(32));
    assert.equal(first.buffer === second.buffer && first.byteOffset + 32 > second.byteOffset && second.byteOffset + 32 > first.byteOffset, false);
  });
});
