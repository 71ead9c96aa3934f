import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeXml, parseXml, xmlDocument } from "../../src/s3/xml.js";
import { checkConditions, etagListMatches, requestConditionNames } from "../../src/s3/conditions.js";
import { parseRange } from "../../src/s3/range.js";
import { parseCopySource } from "../../src/s3/copy-source.js";
import { isValidBucketName } from "../../src/s3/bucket-names.js";
import { S3Error } from "../../src/s3/s3-error.js";

describe("S3 service > xml", () => {
  it("parses values as exact strings: spaces kept, entities and numeric references decoded, leading zeros kept", () => {
    const parsed = parseXml('<?xml version="1.0"?>\n<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\n <TagSet>\n  <Tag><Key> a&amp;b </Key><Value>007</Value></Tag>\n  <Tag><Key>&#x41;&#66;&#60;</Key><Value/></Tag>\n </TagSet>\n</Tagging>', ["Tagging.TagSet.Tag"]);
    assert.deepEqual(parsed, { Tagging: { TagSet: { Tag: [{ Key: " a&b ", Value: "007" }, { Key: "AB<", Value: "" }] } } });
  });

  it("refuses what is not well-formed, any DOCTYPE, and references to invalid code points", () => {
    assert.equal(parseXml("<a><b></a>"), undefined);
    assert.equal(parseXml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'), undefined);
    assert.equal(parseXml("<a>&#0;</a>"), undefined);
    assert.equal(parseXml("<a>&#xD800;</a>"), undefined);
  });

  it("writes S3's declaration, namespace, escapes and repeated elements", () => {
    const document = xmlDocument("Tagging", { TagSet: { Tag: [{ Key: `<&>"'`, Value: "line\r\nend\u0001" }, { Key: "b", Value: "" }] } });
    assert.equal(
      document.toString(),
      '<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>&lt;&amp;&gt;&quot;&apos;</Key><Value>line&#xD;\nend&#x1;</Value></Tag><Tag><Key>b</Key><Value></Value></Tag></TagSet></Tagging>',
    );
    assert.equal(escapeXml("plain ü"), "plain ü");
  });
});

describe("S3 service > request parts", () => {
  it("Range: the forms S3 serves, ignored malformed ones, unsatisfiable ones", () => {
    assert.deepEqual(parseRange("bytes=0-0", 5), { kind: "range", startByte: 0, endByteExclusive: 1 });
    assert.deepEqual(parseRange("bytes=3-", 5), { kind: "range", startByte: 3, endByteExclusive: 5 });
    assert.deepEqual(parseRange("bytes=-10", 5), { kind: "range", startByte: 0, endByteExclusive: 5 });
    assert.deepEqual(parseRange("bytes=5-", 5), { kind: "unsatisfiable" });
    assert.deepEqual(parseRange("bytes=-0", 5), { kind: "unsatisfiable" });
    assert.deepEqual(parseRange("bytes=0-1,3-4", 5), { kind: "whole" });
    assert.deepEqual(parseRange("items=0-1", 5), { kind: "whole" });
    assert.deepEqual(parseRange("bytes=4-2", 5), { kind: "whole" });
    assert.deepEqual(parseRange(undefined, 5), { kind: "whole" });
  });

  it("conditions: ETag lists, precedence, dates in whole seconds, a future If-Modified-Since ignored", () => {
    assert.equal(etagListMatches('"a", "b"', '"b"'), true);
    assert.equal(etagListMatches("b", '"b"'), true);
    assert.equal(etagListMatches("*", '"b"'), true);
    assert.equal(etagListMatches('W/"b"', '"b"'), true);
    assert.equal(etagListMatches('"c"', '"b"'), false);
    const object = { etag: '"e"', lastModifiedMs: Date.parse("2026-01-01T00:00:00.700Z") };
    const nowMs = Date.parse("2026-06-01T00:00:00Z");
    const at = "Thu, 01 Jan 2026 00:00:00 GMT";
    assert.deepEqual(checkConditions({ ifModifiedSince: at }, object, requestConditionNames, nowMs), { ok: false, failed: "not-modified", header: "If-Modified-Since" });
    assert.deepEqual(checkConditions({ ifUnmodifiedSince: at }, object, requestConditionNames, nowMs), { ok: true });
    assert.deepEqual(checkConditions({ ifModifiedSince: "Tue, 01 Jan 2030 00:00:00 GMT" }, object, requestConditionNames, nowMs), { ok: true });
    assert.deepEqual(checkConditions({ ifModifiedSince: "not a date" }, object, requestConditionNames, nowMs), { ok: true });
    assert.deepEqual(checkConditions({ ifMatch: '"x"', ifNoneMatch: '"e"' }, object, requestConditionNames, nowMs), { ok: false, failed: "precondition", header: "If-Match" });
    assert.deepEqual(checkConditions({ ifNoneMatch: '"e"' }, object, requestConditionNames, nowMs, false), { ok: false, failed: "precondition", header: "If-None-Match" });
  });

  it("x-amz-copy-source: with or without a leading slash, percent-decoded, versionId null only", () => {
    assert.deepEqual(parseCopySource("b/a%20key/x%2By"), { bucket: "b", key: "a key/x+y" });
    assert.deepEqual(parseCopySource("/b/k?versionId=null"), { bucket: "b", key: "k" });
    assert.ok(parseCopySource("b") instanceof S3Error);
    assert.ok(parseCopySource("b/") instanceof S3Error);
    assert.ok(parseCopySource("b/%E6") instanceof S3Error);
    assert.ok(parseCopySource("b/k?versionId=abc") instanceof S3Error);
  });

  it("bucket names: S3's rules", () => {
    for (const valid of ["abc", "a.b-c", "0bucket9", "a".repeat(63)]) assert.equal(isValidBucketName(valid), true, valid);
    for (const invalid of ["ab", "a".repeat(64), "Abc", "a_b", ".ab", "ab-", "a..b", "10.0.0.1", "xn--ab", "sthree-ab", "amzn-s3-demo-x", "ab--x-s3", "ab.mrap"]) {
      assert.equal(isValidBucketName(invalid), false, invalid);
    }
  });
});
