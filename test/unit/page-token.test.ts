import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodePageToken, encodePageToken } from "../../src/core/page-token.js";

const key = Buffer.alloc(32, 7);

describe("core > page token", () => {
  it("round-trips the issue time and payload", () => {
    const token = encodePageToken(key, 1_700_000_000_123, { action: "ListShards", after: 3 });
    assert.deepEqual(decodePageToken(key, token), { issuedAtMs: 1_700_000_000_123, payload: { action: "ListShards", after: 3 } });
  });

  it("refuses a token signed with another key", () => {
    const token = encodePageToken(Buffer.alloc(32, 8), 1, { a: 1 });
    assert.equal(decodePageToken(key, token), undefined);
  });

  it("refuses any altered byte", () => {
    const raw = Buffer.from(encodePageToken(key, 1, { a: 1 }), "base64");
    for (let index = 0; index < raw.length; index++) {
      const altered = Buffer.from(raw);
      altered[index] = altered[index]! ^ 0x10;
      assert.equal(decodePageToken(key, altered.toString("base64")), undefined, `byte ${index}`);
    }
  });

  it("refuses text that is not canonical base64, or too short to hold a tag", () => {
    const token = encodePageToken(key, 1, { a: 1 });
    assert.equal(decodePageToken(key, token.replace(/=+$/, "")), undefined);
    assert.equal(decodePageToken(key, "AAAA"), undefined);
    assert.equal(decodePageToken(key, ""), undefined);
  });
});
