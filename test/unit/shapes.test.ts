import { it } from "node:test";
import assert from "node:assert/strict";
import { checkShape, type StructureShape } from "../../src/protocol/shapes.js";
import { ServiceError } from "../../src/protocol/service-error.js";
import { WireTimestamp } from "../../src/protocol/timestamp.js";

const shape: StructureShape = {
  type: "structure",
  members: {
    Count: { type: "integer", min: 1, max: 5 },
    Name: { type: "string", required: true, pattern: "[a-z]+", lengthMin: 1, lengthMax: 4 },
    Mode: { type: "string", enum: ["A", "B"] },
    Data: { type: "blob", lengthMax: 3 },
    At: { type: "timestamp" },
    Flag: { type: "boolean" },
    Items: { type: "list", member: { type: "structure", members: { Key: { type: "string", required: true, lengthMin: 1 } } }, lengthMin: 1 },
    Tags: { type: "map", value: { type: "string" }, keyLength: [1, 3] },
  },
};

function failure(body: unknown, format: "json" | "cbor" = "json"): ServiceError {
  try {
    checkShape(body, shape, format);
  } catch (error) {
    assert.ok(error instanceof ServiceError);
    return error;
  }
  assert.fail("expected a ServiceError");
}

it("shapes > types > a string where a number belongs is a SerializationException in Jackson's words", () => {
  const error = failure({ Name: "a", Count: "1" });
  assert.equal(error.type, "SerializationException");
  assert.equal(error.wireMessage, "class java.lang.String can not be converted to an Integer");
});

it("shapes > types > containers in scalar places", () => {
  assert.equal(failure({ Name: [] }).wireMessage, "Start of list found where not expected");
  assert.equal(failure({ Name: {} }).wireMessage, "Start of structure or map found where not expected.");
  assert.equal(failure({ Items: "x" }).wireMessage, "Expected list or null");
  assert.equal(failure({ Tags: 1 }).wireMessage, "Expected map or null");
  assert.equal(failure({ Flag: 1 }).wireMessage, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean");
});

it("shapes > types > base64 blobs are checked strictly in JSON", () => {
  assert.equal(
    failure({ Name: "a", Data: "abc" }).wireMessage,
    "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3",
  );
  assert.equal(failure({ Name: "a", Data: "ab!=" }).wireMessage, "'ab!=' can not be converted to a Blob: Invalid Base64 character: '!'");
  assert.equal(failure({ Name: "a", Data: "YR==" }).wireMessage, "'YR==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected");
  assert.equal(failure({ Name: "a", Data: "YWJj" }, "cbor").wireMessage, "class java.lang.String can not be converted to a Blob");
});

it("shapes > validation > collects errors in member order with AWS's wording", () => {
  const error = failure({ Count: 0, Name: "ABCDE", Mode: "C" });
  assert.equal(error.type, "ValidationException");
  assert.equal(
    error.wireMessage,
    "4 validation errors detected: " +
      "Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
      "Value 'ABCDE' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; " +
      "Value 'ABCDE' at 'name' failed to satisfy constraint: Member must have length less than or equal to 4; " +
      "Value 'C' at 'mode' failed to satisfy constraint: Member must satisfy enum value set: [A, B]",
  );
});

it("shapes > validation > null, blobs, nested list members and map keys", () => {
  const error = failure({ Data: Buffer.from("abcd").toString("base64"), Items: [{ Key: "" }, {}], Tags: { long: "v" } });
  assert.equal(
    error.wireMessage,
    "5 validation errors detected: " +
      "Value null at 'name' failed to satisfy constraint: Member must not be null; " +
      "Value 'java.nio.HeapByteBuffer[pos=0 lim=4 cap=4]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 3; " +
      "Value '' at 'items.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
      "Value null at 'items.2.member.key' failed to satisfy constraint: Member must not be null; " +
      "Value '{long=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 3, Member must have length greater than or equal to 1]",
  );
});

it("shapes > validation > at most 10 errors are reported", () => {
  const items = Array.from({ length: 15 }, () => ({}));
  const error = failure({ Name: "a", Items: items });
  assert.match(error.wireMessage!, /^10 validation errors detected: /);
  assert.equal(error.wireMessage!.split("; ").length, 10);
});

it("shapes > conversion > timestamps: JSON epoch seconds, CBOR epoch milliseconds", () => {
  const json = checkShape<{ At: number }>({ Name: "a", At: 1700000000.123 }, shape, "json");
  assert.equal(json.At, 1700000000123);
  const cborTagged = checkShape<{ At: number }>({ Name: "a", At: new WireTimestamp(1700000000123) }, shape, "cbor");
  assert.equal(cborTagged.At, 1700000000123);
  const cborPlain = checkShape<{ At: number }>({ Name: "a", At: 1700000000123 }, shape, "cbor");
  assert.equal(cborPlain.At, 1700000000123);
});

it("shapes > conversion > unknown members and __proto__ never reach the action", () => {
  const body = JSON.parse('{"Name":"a","Other":1,"__proto__":{"polluted":true}}');
  const input = checkShape<Record<string, unknown>>(body, shape, "json");
  assert.deepEqual(Object.keys(input), ["Name"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const mapShape: StructureShape = { type: "structure", members: { Tags: { type: "map", value: { type: "string" } } } };
  const tags = checkShape<{ Tags: Record<string, string> }>(JSON.parse('{"Tags":{"__proto__":"x"}}'), mapShape, "json");
  assert.equal(Object.getPrototypeOf(tags.Tags), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(tags.Tags, "__proto__")?.value, "x");
});

it("shapes > body > a non-object body is a SerializationException without a message", () => {
  for (const body of [[], "x", 1, null]) {
    const error = failure(body);
    assert.equal(error.type, "SerializationException");
    assert.equal(error.wireMessage, undefined);
  }
});
