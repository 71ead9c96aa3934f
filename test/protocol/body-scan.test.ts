/**
 * The body scanners (src/protocol/json-scan.ts, cbor-scan.ts) against the decoders they stand in
 * front of: on seeded random bodies, well-formed and mutated, the scan's verdict is the decoder's
 * (JSON.parse, and cborg with the pipeline's options), and the bounds stop the scan where they say.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decode, encode } from "cborg";
import { scanCbor } from "../../src/protocol/cbor-scan.js";
import { scanJson } from "../../src/protocol/json-scan.js";
import { bodyLimits, type BodyScan } from "../../src/protocol/body-scan.js";
import { SeededRandom } from "../../src/util/random.js";

const cborTags: ((inner: () => unknown) => unknown)[] = [];
cborTags[1] = (inner) => inner();

function isObject(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * Whether cborg decodes the body to a map. cborg takes a break (0xff) where a definite map's value
 * belongs as a value (its internal BREAK symbol); the scan refuses that malformed item, as RFC 8949
 * does, so such a decode counts as a refusal here.
 */
function cborDecodes(body: Buffer): boolean {
  try {
    const value = decode(body, { tags: cborTags, useMaps: false, rejectDuplicateMapKeys: false, allowUndefined: false });
    return isObject(value) && !holdsSymbol(value);
  } catch {
    return false;
  }
}

function holdsSymbol(value: unknown): boolean {
  if (typeof value === "symbol") return true;
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return false;
  return Object.values(value).some(holdsSymbol);
}

function jsonDecodes(body: Buffer): boolean {
  try {
    return isObject(JSON.parse(body.toString("utf8")));
  } catch {
    return false;
  }
}

function randomValue(random: SeededRandom, depth: number): unknown {
  switch (random.int(depth > 3 ? 6 : 9)) {
    case 0:
      return random.int(100_000) - 50_000;
    case 1:
      return `s${random.int(100)}\n"é`;
    case 2:
      return random.int(2) === 0;
    case 3:
      return null;
    case 4:
      return random.float() * 1e6;
    case 5:
      return random.bytes(random.int(30));
    case 6:
      return Array.from({ length: random.int(4) }, () => randomValue(random, depth + 1));
    default: {
      const value: Record<string, unknown> = {};
      for (let i = random.int(4); i > 0; i--) value[`k${i}`] = randomValue(random, depth + 1);
      return value;
    }
  }
}

const jsonAlphabet = '{}[],:"\\ 0123456789-+.eEtrufalsn/bu';

describe("protocol > body scan", () => {
  it("protocol > body scan > JSON: the scan's verdict is JSON.parse's on 20,000 random and mutated bodies", () => {
    const random = new SeededRandom(7);
    let malformed = 0;
    for (let n = 0; n < 10_000; n++) {
      const text = JSON.stringify({ a: randomValue(random, 0), b: randomValue(random, 0) }, (_key, value) =>
        value && value.type === "Buffer" ? Buffer.from(value.data).toString("base64") : value,
      );
      const good = Buffer.from(text);
      const bad = Buffer.from(good);
      for (let m = random.int(3); m >= 0; m--) bad[random.int(bad.length)] = jsonAlphabet.charCodeAt(random.int(jsonAlphabet.length));
      for (const body of [good, random.int(4) === 0 ? bad.subarray(0, random.int(bad.length)) : bad]) {
        const expected = jsonDecodes(body);
        if (!expected) malformed++;
        assert.equal(scanJson(body, bodyLimits).ok, expected, body.toString());
      }
    }
    assert.ok(malformed > 2_000, `only ${malformed} malformed bodies were tried`);
  });

  it("protocol > body scan > JSON: raw control characters in strings are left to JSON.parse (the documented exception)", () => {
    const body = Buffer.from('{"a":"\u0001"}');
    assert.equal(scanJson(body, bodyLimits).ok, true);
    assert.equal(jsonDecodes(body), false);
  });

  it("protocol > body scan > CBOR: the scan's verdict is cborg's on 20,000 random and mutated bodies", () => {
    const random = new SeededRandom(11);
    let malformed = 0;
    for (let n = 0; n < 10_000; n++) {
      const good = Buffer.from(encode({ a: randomValue(random, 0), b: randomValue(random, 0) }));
      const bad = Buffer.from(good);
      for (let m = random.int(3); m >= 0; m--) bad[random.int(bad.length)] = random.int(256);
      for (const body of [good, random.int(4) === 0 ? bad.subarray(0, random.int(bad.length)) : bad]) {
        const expected = cborDecodes(body);
        if (!expected) malformed++;
        const scan = scanCbor(body, bodyLimits);
        // A mutated count can claim more values than the bound: refused either way.
        if (!scan.ok && scan.reason === "tooManyValues") continue;
        assert.equal(scan.ok, expected, body.toString("hex"));
      }
    }
    assert.ok(malformed > 2_000, `only ${malformed} malformed bodies were tried`);
  });

  it("protocol > body scan > CBOR: tag 1, indefinite maps and arrays, floats and big integers pass; other tags, undefined and indefinite strings do not", () => {
    const ok = (hex: string) => assert.deepEqual(scanCbor(Buffer.from(hex, "hex"), bodyLimits), { ok: true }, hex);
    const bad = (hex: string) => assert.deepEqual(scanCbor(Buffer.from(hex, "hex"), bodyLimits), { ok: false, reason: "malformed" }, hex);
    ok("a0");
    ok("bf6161c11b0000018a2b3c4d5eff"); // {_ "a": 1(1690000000000)}
    ok("a161619f01fa3fc00000f93c00fb3ff8000000000000ff"); // {"a": [_ 1, 1.5f, 1.0h, 1.5d]}
    ok("a161613bffffffffffffffff"); // {"a": -2^64}
    bad("a16161c201"); // tag 2
    bad("a16161f7"); // undefined
    bad("a161617f6161ff"); // indefinite text string
    bad("a101020304"); // integer key
    bad("80"); // array at the top
    bad("a0a0"); // two items
    bad("ff");
  });

  it("protocol > body scan > the depth bound stops at the first container past it, with the path there", () => {
    const deep = (scan: BodyScan) => {
      assert.equal(scan.ok, false);
      assert.ok(!scan.ok && scan.reason === "tooDeep");
      return scan.deep;
    };
    const json = deep(scanJson(Buffer.from(`{"StreamName":${'{"a":'.repeat(500)}1${"}".repeat(501)}`), bodyLimits));
    assert.equal(json.path.length, bodyLimits.depthMax);
    assert.deepEqual(json.path.slice(0, 2), [{ container: "map", key: "StreamName" }, { container: "map", key: "a" }]);
    assert.equal(json.opened, "map");
    const list = deep(scanJson(Buffer.from(`{"Tags":{"k":${"[".repeat(500)}${"]".repeat(500)}}}`), bodyLimits));
    assert.deepEqual(list.path.slice(0, 3), [{ container: "map", key: "Tags" }, { container: "map", key: "k" }, { container: "list" }]);
    assert.equal(list.opened, "list");
    const cbor = deep(scanCbor(Buffer.concat([Buffer.from("a1644461746181", "hex"), Buffer.alloc(500, 0x81), Buffer.from([0])]), bodyLimits));
    assert.deepEqual(cbor.path.slice(0, 2), [{ container: "map", key: "Data" }, { container: "list" }]);
    // A body exactly at the bound passes.
    const atBound = `{"a":${"[".repeat(bodyLimits.depthMax - 1)}${"]".repeat(bodyLimits.depthMax - 1)}}`;
    assert.deepEqual(scanJson(Buffer.from(atBound), bodyLimits), { ok: true });
  });

  it("protocol > body scan > the values bound counts scalars, containers and keys", () => {
    const limits = { depthMax: 128, valuesMax: 10 };
    // 1 (top) + 1 key + 1 list + 7 numbers = 10 values: passes; one more is refused.
    assert.deepEqual(scanJson(Buffer.from('{"a":[1,2,3,4,5,6,7]}'), limits), { ok: true });
    assert.deepEqual(scanJson(Buffer.from('{"a":[1,2,3,4,5,6,7,8]}'), limits), { ok: false, reason: "tooManyValues" });
    assert.deepEqual(scanCbor(Buffer.from(encode({ a: [1, 2, 3, 4, 5, 6, 7] })), limits), { ok: true });
    assert.deepEqual(scanCbor(Buffer.from(encode({ a: [1, 2, 3, 4, 5, 6, 7, 8] })), limits), { ok: false, reason: "tooManyValues" });
  });
});
