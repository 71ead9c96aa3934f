import { it } from "node:test";
import assert from "node:assert/strict";
import { SeededRandom } from "../../src/util/random.js";

it("util > random > the same seed replays the same sequence", () => {
  const a = new SeededRandom(42);
  const b = new SeededRandom(42);
  for (let i = 0; i < 100; i++) assert.equal(a.float(), b.float());
});

it("util > random > nearby seeds start unrelated sequences", () => {
  const firsts = new Set<number>();
  for (let seed = 1; seed <= 50; seed++) firsts.add(Math.floor(new SeededRandom(seed).float() * 1e6));
  assert.equal(firsts.size, 50);
});
