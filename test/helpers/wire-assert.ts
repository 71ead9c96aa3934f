/**
 * Conformance assertions shared by the Kinesis control-plane tests: an error answered with the
 * exact status, __type and message in both JSON and CBOR, and kinesalite-style tables of wrong
 * member types (SerializationException wording per target type).
 */
import assert from "node:assert/strict";
import { cborCall, jsonCall, type RawResponse } from "./raw.js";
import type { TestServer } from "./server.js";

export type Format = "json" | "cbor";
export const formats: readonly Format[] = ["json", "cbor"];

/** Where a call goes: a test server, or any endpoint (a CLI child process, a container). */
export type Endpoint = Pick<TestServer, "url">;

export function call(server: Endpoint, format: Format, action: string, body: unknown): Promise<RawResponse> {
  return format === "json" ? jsonCall(server.url, action, body) : cborCall(server.url, action, body);
}

/**
 * Asserts one error, in both wire formats: HTTP 400 (unless given), the exact __type and message —
 * under `Message` for a SerializationException, as AWS sends it, and `message` for the rest.
 */
export async function assertError(
  server: TestServer,
  action: string,
  body: unknown,
  type: string,
  message: string,
  statusCode = 400,
): Promise<void> {
  const expected = type === "SerializationException" ? { __type: type, Message: message } : { __type: type, message };
  for (const format of formats) {
    const response = await call(server, format, action, body);
    assert.equal(response.statusCode, statusCode, `${format} status`);
    assert.deepEqual(response.body, expected, `${format} body`);
  }
}

export function assertValidation(server: TestServer, action: string, body: unknown, errors: readonly string[]): Promise<void> {
  const count = errors.length;
  return assertError(server, action, body, "ValidationException", `${count} validation error${count > 1 ? "s" : ""} detected: ${errors.join("; ")}`);
}

/** A request that succeeds in JSON, returning the parsed body (undefined when empty). */
export async function ok(server: Endpoint, action: string, body: unknown, format: Format = "json"): Promise<any> {
  const response = await call(server, format, action, body);
  assert.equal(response.statusCode, 200, `${action} failed: ${JSON.stringify(response.body)}`);
  return response.body;
}

export type WireType = "String" | "Integer" | "Boolean" | "List" | "Map" | "Structure" | "Timestamp";

const listStart = "Start of list found where not expected";
const mapStart = "Start of structure or map found where not expected.";

/** Values of the wrong type for a member of `type`, with the SerializationException message each draws. */
export const wrongTypes: Readonly<Record<WireType, readonly (readonly [unknown, string])[]>> = {
  String: [
    [true, "class java.lang.Boolean can not be converted to an String"],
    [23, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"],
    [34.56, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"],
    [[], listStart],
    [{}, mapStart],
  ],
  Integer: [
    ["23", "class java.lang.String can not be converted to an Integer"],
    [true, "class java.lang.Boolean can not be converted to an Integer"],
    [[], listStart],
    [{}, mapStart],
  ],
  Boolean: [
    ["abc", "'ABC' can not be converted to an Boolean"],
    [23, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean"],
    [[], listStart],
    [{}, mapStart],
  ],
  List: [
    ["23", "Expected list or null"],
    [true, "Expected list or null"],
    [23, "Expected list or null"],
    [{}, mapStart],
  ],
  Map: [
    ["23", "Expected map or null"],
    [true, "Expected map or null"],
    [23, "Expected map or null"],
    [[], listStart],
  ],
  Structure: [
    ["23", "Expected null"],
    [true, "Expected null"],
    [23, "Expected null"],
    [[], listStart],
  ],
  Timestamp: [
    ["23", "class java.lang.String can not be converted to milliseconds since epoch"],
    [true, "class java.lang.Boolean can not be converted to milliseconds since epoch"],
    [[], listStart],
    [{}, mapStart],
  ],
};

/**
 * Asserts that each wrong-typed value at `path` ("Tags.a", "TagKeys.0", "ShardFilter.Type") draws
 * its SerializationException in both formats. `base` supplies the other members.
 */
export async function assertWrongTypes(server: TestServer, action: string, path: string, type: WireType, base: Record<string, unknown> = {}): Promise<void> {
  for (const [value, message] of wrongTypes[type]) {
    await assertError(server, action, { ...base, ...nested(path, value) }, "SerializationException", message);
  }
}

function nested(path: string, value: unknown): Record<string, unknown> {
  const pieces = path.split(".");
  const root: Record<string, unknown> = {};
  let node: any = root;
  for (let i = 0; i < pieces.length - 1; i++) {
    const child = pieces[i + 1] === "0" ? [] : {};
    node[Array.isArray(node) ? 0 : pieces[i]!] = child;
    node = child;
  }
  node[Array.isArray(node) ? 0 : pieces[pieces.length - 1]!] = value;
  return root;
}
