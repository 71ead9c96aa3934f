/**
 * The answer to a body nested past the scan's bound (src/protocol/shapes.ts deepBodyError): the
 * container mismatch AWS's deserializer meets first along the path, or none when the path leaves
 * the shape; and the bound itself sits above every legal request (DynamoDB's 32-level attribute
 * nesting included).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { deepBodyError, type StructureShape } from "../../src/protocol/shapes.js";
import { scanJson } from "../../src/protocol/json-scan.js";
import { bodyLimits, type DeepBody } from "../../src/protocol/body-scan.js";

const shape: StructureShape = {
  type: "structure",
  members: {
    Name: { type: "string" },
    Tags: { type: "map", value: { type: "string" } },
    Records: { type: "list", member: { type: "structure", members: { Key: { type: "string" }, Nested: { type: "list", member: { type: "string" } } } } },
    Filter: { type: "structure", members: { Type: { type: "string" } } },
  },
};

const top = { container: "map" } as const;
const deep = (path: DeepBody["path"], opened: DeepBody["opened"] = "list"): DeepBody => ({ path, opened });

describe("protocol > deep body", () => {
  it("protocol > deep body > the first container where the shape has none is the answer", () => {
    assert.equal(deepBodyError(shape, deep([top, { container: "list" }], "list"))?.wireMessage, undefined); // path leaves through an unnamed key
    assert.equal(deepBodyError(shape, deep([{ container: "map", key: "Name" }, { container: "list" }]))?.wireMessage, "Start of list found where not expected");
    assert.equal(deepBodyError(shape, deep([{ container: "map", key: "Name" }, { container: "map", key: "a" }], "map"))?.wireMessage, "Start of structure or map found where not expected.");
    assert.equal(deepBodyError(shape, deep([{ container: "map", key: "Tags" }, { container: "map", key: "k" }]))?.wireMessage, "Start of list found where not expected");
    assert.equal(deepBodyError(shape, deep([{ container: "map", key: "Records" }, { container: "map" }], "map"))?.wireMessage, "Start of structure or map found where not expected.");
    assert.equal(
      deepBodyError(shape, deep([{ container: "map", key: "Records" }, { container: "list" }, { container: "map", key: "Nested" }, { container: "list" }]))?.wireMessage,
      "Start of list found where not expected",
    );
    assert.equal(deepBodyError(shape, deep([{ container: "map", key: "Filter" }, { container: "list" }]))?.wireMessage, "Start of list found where not expected");
    assert.equal(deepBodyError(shape, deep([{ container: "map", key: "Filter" }, { container: "map", key: "Type" }], "map"))?.wireMessage, "Start of structure or map found where not expected.");
  });

  it("protocol > deep body > a path through an unknown member, __proto__ or a CBOR tag meets no mismatch", () => {
    assert.equal(deepBodyError(shape, deep([{ container: "map", key: "Unknown" }, { container: "list" }])), undefined);
    assert.equal(deepBodyError(shape, deep([{ container: "map", key: "__proto__" }, { container: "list" }])), undefined);
    assert.equal(deepBodyError(shape, deep([{ container: "map", key: "constructor" }, { container: "list" }])), undefined);
    assert.equal(deepBodyError(shape, deep([{ container: "map", key: "Name" }], "tag")), undefined);
  });

  it("protocol > deep body > the bound is above every legal request: a DynamoDB item nested 32 levels passes the scan", () => {
    // {"TableName":"t","Item":{"k":{"M":{"a":{"M":…{"S":"x"}…}}}}}: two JSON levels per attribute level.
    let value = '{"S":"x"}';
    for (let level = 0; level < 32; level++) value = `{"M":{"a":${value}}}`;
    const body = Buffer.from(`{"TableName":"t","Item":{"k":${value}}}`);
    assert.deepEqual(scanJson(body, bodyLimits), { ok: true });
    assert.ok(JSON.parse(body.toString()));
  });
});
