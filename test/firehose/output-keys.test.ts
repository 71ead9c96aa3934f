import { it } from "node:test";
import assert from "node:assert/strict";
import {
  errorObjectKey,
  evaluateDataPrefix,
  formatDate,
  MissingPartitionKeyError,
  objectExtension,
  objectKey,
  parsePrefix,
  validatePrefixes,
} from "../../src/firehose/output/index.js";
import { SeededRandom } from "../../src/util/random.js";

const at = Date.UTC(2018, 7, 27, 10, 30, 5, 123); // Monday 2018-08-27 10:30:05.123 UTC
const random = new SeededRandom(7);

it("firehose > output > keys > timestamp patterns as Java's DateTimeFormatter prints them", () => {
  const cases: Array<[string, string]> = [
    ["yyyy/MM/dd/HH/", "2018/08/27/10/"],
    ["yyyy'-'MM'-'dd", "2018-08-27"],
    ["'year='yyyy'/month='MM'/day='dd'/hour='HH", "year=2018/month=08/day=27/hour=10"],
    ["yy y yyy uuuu", "18 2018 2018 2018"],
    ["M MM MMM MMMM MMMMM", "8 08 Aug August A"],
    ["d D DDD", "27 239 239"],
    ["E EEEE EEEEE", "Mon Monday M"],
    ["a h K k H mm ss", "AM 10 10 10 10 30 05"],
    ["S SSS SSSSSS SSSSSSSSS", "1 123 123000 123000000"],
    ["Q QQ QQQ QQQQ", "3 03 Q3 3rd quarter"],
    ["A n", "37805123 123000000"],
    ["'it''s' 'o''clock' ''", "it's o'clock '"],
    ["[yyyy]/", "2018/"],
    ["X xx xxx Z ZZZZZ VV O", "Z +0000 +00:00 +0000 Z Z GMT"],
    ["G", "AD"],
  ];
  for (const [pattern, expected] of cases) assert.equal(formatDate(pattern, at), expected, pattern);
  assert.equal(formatDate("hh a", Date.UTC(2018, 0, 1, 0, 5)), "12 AM");
  assert.equal(formatDate("k", Date.UTC(2018, 0, 1, 0, 5)), "24");
  assert.equal(formatDate("yyyy-MM-dd HH:mm", at, 9 * 60), "2018-08-27 19:30", "a CustomTimeZone offset");
  assert.equal(formatDate("xxx", at, -5 * 60), "-05:00");
});

it("firehose > output > keys > patterns Java refuses are refused", () => {
  for (const pattern of ["yyyy{", "ddd", "b", "'open", "HHH", "yyyy]"]) assert.throws(() => formatDate(pattern, at), pattern);
});

it("firehose > output > keys > the default key layout in UTC", () => {
  const key = objectKey({ prefix: undefined, deliveryStreamName: "orders", version: 1, arrivalMs: at, uuid: "6c1f9b0e-6f7e-4c4e-9a59-0f9c2b5d8e11", extension: ".gz", random });
  assert.equal(key, "2018/08/27/10/orders-1-2018-08-27-10-30-05-6c1f9b0e-6f7e-4c4e-9a59-0f9c2b5d8e11.gz");
  assert.equal(objectKey({ prefix: "", deliveryStreamName: "s", version: 3, arrivalMs: at, uuid: "u", extension: "", random }), "2018/08/27/10/s-3-2018-08-27-10-30-05-u");
});

it("firehose > output > keys > a prefix without expressions gets the time prefix by plain concatenation", () => {
  assert.equal(evaluateDataPrefix("logs/", { arrivalMs: at }, random), "logs/2018/08/27/10/");
  assert.equal(evaluateDataPrefix("legacy", { arrivalMs: at }, random), "legacy2018/08/27/10/");
});

it("firehose > output > keys > a prefix with expressions is used as evaluated", () => {
  assert.equal(evaluateDataPrefix("myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/", { arrivalMs: at }, random), "myPrefix/year=2018/month=08/day=27/hour=10/");
  const withRandom = evaluateDataPrefix("myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/rand=!{firehose:random-string}", { arrivalMs: at }, random);
  assert.match(withRandom, /^myFirehose\/DeliveredYear=2018\/anyMonth\/rand=[0-9a-f]{11}$/);
  const two = evaluateDataPrefix("!{firehose:random-string}/!{firehose:random-string}/", { arrivalMs: at }, random).split("/");
  assert.notEqual(two[0], two[1], "every random-string instance is new");
  assert.equal(evaluateDataPrefix("r/!{firehose:random-string}/", { arrivalMs: at }, random).length, "r/".length + 11 + 1, "no time prefix after an expression");
});

it("firehose > output > keys > dynamic partitions fill partitionKeyFromQuery and partitionKeyFromLambda", () => {
  const key = objectKey({
    prefix: "customer=!{partitionKeyFromQuery:customer_id}/device=!{partitionKeyFromLambda:device}/!{timestamp:yyyy}/",
    deliveryStreamName: "s",
    version: 2,
    arrivalMs: at,
    uuid: "u",
    partitionKeys: { customer_id: "42", device: "sensor-7" },
    extension: ".snappy",
    random,
  });
  assert.equal(key, "customer=42/device=sensor-7/2018/s-2-2018-08-27-10-30-05-u.snappy");
  assert.throws(
    () => objectKey({ prefix: "c=!{partitionKeyFromQuery:missing}/", deliveryStreamName: "s", version: 1, arrivalMs: at, uuid: "u", partitionKeys: {}, extension: "", random }),
    (error: unknown) => error instanceof MissingPartitionKeyError && error.key === "missing",
  );
});

it("firehose > output > keys > error output keys", () => {
  const base = { deliveryStreamName: "s", version: 1, arrivalMs: at, uuid: "u", extension: "", random };
  assert.equal(errorObjectKey({ ...base, prefix: undefined, errorOutputPrefix: undefined, errorOutputType: "processing-failed" }), "processing-failed/2018/08/27/10/s-1-2018-08-27-10-30-05-u");
  assert.equal(errorObjectKey({ ...base, prefix: "myFirehosePrefix/", errorOutputPrefix: undefined, errorOutputType: "processing-failed" }), "myFirehosePrefix/processing-failed/2018/08/27/10/s-1-2018-08-27-10-30-05-u");
  assert.equal(
    errorObjectKey({ ...base, prefix: "x/!{timestamp:yyyy}/", errorOutputPrefix: "myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}", errorOutputType: "format-conversion-failed" }),
    "myErrorPrefix/year=2018/month=08/day=27/hour=10/format-conversion-faileds-1-2018-08-27-10-30-05-u",
  );
  assert.equal(
    errorObjectKey({ ...base, prefix: undefined, errorOutputPrefix: "myFirehoseFailures/!{firehose:error-output-type}/", errorOutputType: "processing-failed" }),
    "myFirehoseFailures/processing-failed/s-1-2018-08-27-10-30-05-u",
  );
});

it("firehose > output > keys > FileExtension replaces the format's extension; empty means unset", () => {
  assert.equal(objectExtension(undefined, ".gz"), ".gz");
  assert.equal(objectExtension("", ".gz"), ".gz");
  assert.equal(objectExtension(".json.gz", ".gz"), ".json.gz");
});

it("firehose > output > keys > parsePrefix splits literals and expressions", () => {
  const parsed = parsePrefix("a/!{timestamp:yyyy}/b!{firehose:random-string}");
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.segments.map((segment) => segment.kind), ["literal", "timestamp", "literal", "random-string"]);
  assert.deepEqual(parsePrefix(""), { ok: true, segments: [] });
});

it("firehose > output > keys > validatePrefixes answers with Firehose's messages", () => {
  const constraint = "Ths supplied prefix(es) do not satisfy the following constraint: ";
  assert.equal(validatePrefixes(undefined, undefined, false), undefined);
  assert.equal(validatePrefixes("plain/", undefined, false), undefined);
  assert.equal(validatePrefixes("!{timestamp:yyyy}/", "!{firehose:error-output-type}/", false), undefined);
  assert.equal(validatePrefixes(undefined, "myFirehoseFailures/!{firehose:error-output-type}/", false), undefined);
  assert.deepEqual(validatePrefixes("!{timestamp:yyyy'-'MM'-'dd}/", undefined, false), {
    message: constraint + "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions",
  });
  assert.deepEqual(validatePrefixes("!{timestamp:yyyy}/", "", false), {
    message: constraint + "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions",
  });
  assert.deepEqual(validatePrefixes("c=!{partitionKeyFromQuery:c}/", "e/!{firehose:error-output-type}/", false), {
    message: "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled.",
  });
  assert.deepEqual(validatePrefixes("!{timestamp:yyyy}/", "e/!{firehose:error-output-type}/", true), {
    message: "S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic Partitioning is enabled",
  });
  assert.equal(validatePrefixes("c=!{partitionKeyFromQuery:c}/", "e/!{firehose:error-output-type}/", true), undefined);
  assert.deepEqual(validatePrefixes("c=!{partitionKeyFromQuery:c}/", "e/!{firehose:error-output-type}/", true, { metadataExtraction: false, lambda: true }), {
    message: "MetadataExtraction processor should be present when S3 Prefix has partitionKeyFromQuery namespace.",
  });
  assert.deepEqual(validatePrefixes("c=!{partitionKeyFromLambda:c}/", "e/!{firehose:error-output-type}/", true, { metadataExtraction: true, lambda: false }), {
    message: "Lambda should be present when S3 Prefix contains keys from partitionKeyFromLambda namespace",
  });
  const rejected: Array<[string | undefined, string | undefined, RegExp]> = [
    ["x/!{firehose:error-output-type}/", "e/!{firehose:error-output-type}/", /Prefix cannot contain !\{firehose:error-output-type\}/],
    ["!{timestamp:yyyy}/", "e/!{timestamp:yyyy}/", /ErrorOutputPrefix must contain at least one instance of !\{firehose:error-output-type\}/],
    ["!{timestamp:yyyy}/", "e/!{firehose:error-output-type}/!{partitionKeyFromQuery:c}/", /ErrorOutputPrefix cannot contain partitionKeyFromQuery or partitionKeyFromLambda/],
    ["!{bogus:x}/", "e/!{firehose:error-output-type}/", /Unsupported namespace in Prefix expression !\{bogus:x\}/],
    ["!{firehose:other}/", "e/!{firehose:error-output-type}/", /firehose namespace supports error-output-type and random-string/],
    ["!{timestamp:yyyy{}/", "e/!{firehose:error-output-type}/", /The sequence !\{ can only appear|not a valid Java DateTimeFormatter pattern/],
    ["!{timestamp:bbb}/", "e/!{firehose:error-output-type}/", /not a valid Java DateTimeFormatter pattern/],
    ["a!{timestamp:yyyy", "e/!{firehose:error-output-type}/", /The sequence !\{ can only appear in !\{namespace:value\} expressions in Prefix/],
    [undefined, "e/!{firehose:error-output-type", /in ErrorOutputPrefix/],
  ];
  for (const [prefix, errorPrefix, expected] of rejected) {
    const result = validatePrefixes(prefix, errorPrefix, false);
    assert.ok(result, `${prefix} / ${errorPrefix} is refused`);
    assert.ok(result.message.startsWith(constraint), result.message);
    assert.match(result.message, expected);
  }
});
