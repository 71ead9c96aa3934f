/**
 * The shape checker's fast paths must give the same verdicts as the full checks they stand in
 * for: canonical-base64 acceptance versus RFC 4648's strict grammar, and the allocation-free
 * `membersSatisfy` versus the message-building `validateMembers`.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { checkShape, membersSatisfy, validateMembers, type StructureShape } from "../../src/protocol/shapes.js";
import { ServiceError } from "../../src/protocol/service-error.js";
import { SeededRandom } from "../../src/util/random.js";

const blobShape: StructureShape = { type: "structure", members: { Data: { type: "blob" } } };
// Strict RFC 4648 base64 with padding, and zero unused bits in the last character.
const strictGrammar = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
function strictlyValid(text: string): boolean {
  if (!strictGrammar.test(text)) return false;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.endsWith("==")) return alphabet.indexOf(text[text.length - 3]!) % 16 === 0;
  if (text.endsWith("=")) return alphabet.indexOf(text[text.length - 2]!) % 4 === 0;
  return true;
}
function accepted(text: string): boolean {
  try {
    checkShape({ Data: text }, blobShape, "json");
    return true;
  } catch (error) {
    assert.ok(error instanceof ServiceError && error.type === "SerializationException");
    return false;
  }
}

it("shapes > fast path > a base64 blob is accepted exactly when it is strict RFC 4648", () => {
  const random = new SeededRandom(21);
  const pieces = ["A", "Q", "z", "0", "+", "/", "=", "==", "-", "_", " ", "\n", "é", "AAAA", "QQ==", "QUI=", "QR==", "QUJ="];
  const samples = ["", "QQ==", "QR==", "QUI=", "QUJ=", "AAAA", "AA=A", "A===", "====", "Zm9v", "Zm9v-_==", "Zm 9v"];
  for (let i = 0; i < 4000; i++) {
    let text = "";
    const parts = random.int(6);
    for (let k = 0; k < parts; k++) text += pieces[random.int(pieces.length)]!;
    samples.push(text);
    samples.push(random.bytes(random.int(40)).toString("base64"));
  }
  for (const text of samples) assert.equal(accepted(text), strictlyValid(text), JSON.stringify(text));
});

it("shapes > fast path > a decoded blob is the bytes the text spells", () => {
  const random = new SeededRandom(22);
  for (let i = 0; i < 200; i++) {
    const bytes = random.bytes(random.int(300));
    const typed = checkShape<{ Data: Buffer }>({ Data: bytes.toString("base64") }, blobShape, "json");
    assert.deepEqual(typed.Data, bytes);
  }
});

const shape: StructureShape = {
  type: "structure",
  members: {
    Count: { type: "integer", min: 1, max: 5 },
    Name: { type: "string", required: true, pattern: "[a-z]+", lengthMin: 1, lengthMax: 4 },
    Mode: { type: "string", enum: ["A", "B"] },
    Data: { type: "blob", lengthMin: 1, lengthMax: 3 },
    Items: {
      type: "list",
      lengthMin: 1,
      lengthMax: 3,
      member: { type: "structure", members: { Key: { type: "string", required: true, lengthMin: 1, lengthMax: 2 }, Inner: { type: "structure", members: { N: { type: "long", required: true, max: 9 } } } } },
    },
    Names: { type: "list", member: { type: "string", pattern: "[0-9]+" }, memberLength: [1, 2], lengthMax: 2 },
    Metrics: { type: "list", member: { type: "string" }, memberEnum: ["In", "Out", "ALL"], lengthMin: 1, lengthMax: 2 },
    Tags: { type: "map", value: { type: "string" }, keyLength: [1, 3], valueLength: [0, 2], lengthMax: 2 },
  },
};

it("shapes > fast path > membersSatisfy agrees with validateMembers on random converted values", () => {
  const random = new SeededRandom(23);
  const pick = <T>(options: readonly T[]): T => options[random.int(options.length)]!;
  const maybe = <T>(make: () => T): T | undefined => (random.int(3) === 0 ? undefined : make());
  let passing = 0;
  const samples = 10_000;
  for (let i = 0; i < samples; i++) {
    const value: Record<string, unknown> = {
      Count: maybe(() => random.int(8) - 1),
      Name: maybe(() => pick(["", "a", "ab", "abcd", "abcde", "A", "a1"])),
      Mode: maybe(() => pick(["A", "B", "C", ""])),
      Data: maybe(() => Buffer.alloc(random.int(5))),
      Items: maybe(() =>
        Array.from({ length: random.int(5) }, () =>
          random.int(6) === 0 ? null : { Key: maybe(() => "k".repeat(random.int(4))), Inner: maybe(() => ({ N: maybe(() => random.int(12)) })) },
        ),
      ),
      Names: maybe(() => Array.from({ length: random.int(4) }, () => pick(["1", "12", "123", "", "x"]))),
      // Mostly valid, so that whole values still pass often enough for both verdicts to be exercised.
      Metrics: maybe(() => Array.from({ length: pick([0, 1, 1, 1, 2, 2, 3]) }, () => (random.int(10) === 0 ? null : pick(["In", "Out", "ALL", "In", "Out", "all", ""])))),
      Tags: maybe(() => Object.fromEntries(Array.from({ length: random.int(4) }, () => [pick(["", "a", "abc", "abcd"]), pick(["", "v", "vv", "vvv"])]))),
    };
    for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
    const errors: string[] = [];
    validateMembers(value, shape, "", errors);
    const satisfied = membersSatisfy(value, shape);
    assert.equal(satisfied, errors.length === 0, `${JSON.stringify(value)}: ${errors.join("; ")}`);
    if (satisfied) passing++;
  }
  // Both verdicts must have been exercised for the agreement to mean anything.
  assert.ok(passing > 50 && passing < samples - 50, `passing ${passing}`);
});
