/** readBody: a declared length is filled in place; a lying length or none still yields exactly the bytes sent. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { readBody } from "../../src/server/request-body.js";

async function read(chunks: string[], declaredLength: number | undefined, bytesMax = 1000) {
  const stream = new PassThrough();
  const outcome = readBody(stream, bytesMax, declaredLength, bytesMax * 2);
  for (const chunk of chunks) stream.write(Buffer.from(chunk));
  stream.end();
  return outcome;
}

describe("readBody", () => {
  const cases: [string, string[], number | undefined][] = [
    ["declared and exact, in pieces", ["ab", "cd", "e"], 5],
    ["declared and exact, in one piece", ["abcde"], 5],
    ["declared larger than sent", ["ab", "c"], 9],
    ["declared smaller than sent", ["ab", "cd", "ef"], 3],
    ["declared smaller than the first piece", ["abcd", "ef"], 2],
    ["not declared", ["ab", "cd"], undefined],
    ["empty", [], 0],
  ];
  for (const [name, chunks, declared] of cases) {
    it(name, async () => {
      const outcome = await read(chunks, declared);
      assert.deepEqual(outcome, { ok: true, body: Buffer.from(chunks.join("")) });
    });
  }

  it("a body that grows past the maximum is refused whatever was declared", async () => {
    assert.deepEqual(await read(["a".repeat(600), "b".repeat(600)], 1200), { ok: false, reason: "too-large" });
    assert.deepEqual(await read(["a".repeat(600), "b".repeat(600)], 10), { ok: false, reason: "too-large" });
  });
});
