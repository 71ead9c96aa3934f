/**
 * Lambda event filtering > validation: the FilterCriteria Lambda refuses at CreateEventSourceMapping
 * and UpdateEventSourceMapping, with its exact error types and messages.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LambdaError } from "../../src/lambda/errors.js";
import { compileFilterCriteria, validateFilterCriteria } from "../../src/lambda/event-sources/filter/index.js";

const invalid = "Invalid filter pattern definition.";

function criteria(...patterns: string[]) {
  return { Filters: patterns.map((Pattern) => ({ Pattern })) };
}

function assertInvalid(pattern: string, why: string): void {
  const error = validateFilterCriteria(criteria(pattern));
  assert.ok(error instanceof LambdaError, `${why}: ${pattern} is refused`);
  assert.equal(error.type, "InvalidParameterValueException", why);
  assert.equal(error.statusCode, 400, why);
  assert.equal(error.message, invalid, why);
}

const invalidPatterns: Array<[string, string]> = [
  ["", "empty"],
  ["not json", "not JSON"],
  ['{"data": {"a": ["x"]}', "truncated JSON"],
  ["[]", "an array"],
  ['"x"', "a string"],
  ["null", "null"],
  ["{}", "an empty object"],
  ['{"data": {}}', "an empty nested object"],
  ['{"partitionKey": "1"}', "a bare value instead of a rule list"],
  ['{"partitionKey": 1}', "a bare number"],
  ['{"partitionKey": []}', "an empty rule list"],
  ['{"partitionKey": [["1"]]}', "a nested list"],
  ['{"partitionKey": [{}]}', "an empty operator object"],
  ['{"partitionKey": [{"prefix": "a", "suffix": "b"}]}', "two operators in one object"],
  ['{"partitionKey": [{"unknown": "a"}]}', "an unknown operator"],
  ['{"partitionKey": [{"wildcard": "a*"}]}', "wildcard (EventBridge only)"],
  ['{"partitionKey": [{"cidr": "10.0.0.0/24"}]}', "cidr (EventBridge only)"],
  ['{"partitionKey": [{"anything-but": {"prefix": "us-"}}]}', "anything-but prefix (EventBridge only)"],
  ['{"partitionKey": [{"anything-but": {"suffix": ".png"}}]}', "anything-but suffix (EventBridge only)"],
  ['{"partitionKey": [{"anything-but": {"equals-ignore-case": "a"}}]}', "anything-but equals-ignore-case (EventBridge only)"],
  ['{"partitionKey": [{"anything-but": []}]}', "anything-but with an empty list"],
  ['{"partitionKey": [{"anything-but": [null]}]}', "anything-but null"],
  ['{"partitionKey": [{"anything-but": [true]}]}', "anything-but true"],
  ['{"partitionKey": [{"prefix": 1}]}', "prefix of a number"],
  ['{"partitionKey": [{"prefix": {"equals-ignore-case": 1}}]}', "prefix equals-ignore-case of a number"],
  ['{"partitionKey": [{"prefix": {"other": "a"}}]}', "prefix with an unknown modifier"],
  ['{"partitionKey": [{"suffix": null}]}', "suffix of null"],
  ['{"partitionKey": [{"equals-ignore-case": 1}]}', "equals-ignore-case of a number"],
  ['{"partitionKey": [{"exists": "true"}]}', "exists of a string"],
  ['{"n": [{"numeric": []}]}', "numeric without comparisons"],
  ['{"n": [{"numeric": [">"]}]}', "numeric without its number"],
  ['{"n": [{"numeric": [">", "1"]}]}', "numeric against a string"],
  ['{"n": [{"numeric": ["!=", 1]}]}', "an unknown numeric operator"],
  ['{"n": [{"numeric": ["=", 1, "<", 5]}]}', "numeric = with a bound"],
  ['{"n": [{"numeric": [">", 1, ">", 5]}]}', "two lower bounds"],
  ['{"n": [{"numeric": ["<", 1, "<=", 5]}]}', "two upper bounds"],
  ['{"n": [{"numeric": [">", 5, "<", 5]}]}', "an empty range"],
  ['{"n": [{"numeric": [">", 10, "<", 1]}]}', "a reversed range"],
  ['{"n": [{"numeric": [">", 1, "<", 5, ">", 0]}]}', "three comparisons"],
  ['{"n": [{"numeric": [">", 5000000001]}]}', "a bound past 5.0e9"],
  ['{"data": ["x"]}', "rules right on data (its pattern must be JSON)"],
  ['{"data": [{"exists": true}]}', "exists right on data"],
  ['{"$or": [{"partitionKey": ["1"]}]}', "$or with one pattern"],
  ['{"$or": [{"partitionKey": ["1"]}, {}]}', "$or with an empty pattern"],
  ['{"data": {"$or": [{"a": ["1"]}, {"b": "x"}]}}', "$or with an invalid pattern"],
];

describe("lambda > filter > validation > invalid patterns", () => {
  for (const [pattern, why] of invalidPatterns) {
    it(`${why} > InvalidParameterValueException`, () => assertInvalid(pattern, why));
  }
});

describe("lambda > filter > validation > criteria", () => {
  it("no criteria, no filters > accepted", () => {
    assert.equal(validateFilterCriteria(undefined), undefined);
    assert.equal(validateFilterCriteria(null), undefined);
    assert.equal(validateFilterCriteria({}), undefined);
    assert.equal(validateFilterCriteria({ Filters: [] }), undefined);
  });

  it("a filter without a Pattern > InvalidParameterValueException", () => {
    const error = validateFilterCriteria({ Filters: [{}] });
    assert.equal(error?.type, "InvalidParameterValueException");
    assert.equal(error?.message, invalid);
  });

  it("one bad pattern among good ones > refused", () => {
    const error = validateFilterCriteria(criteria('{"a": ["1"]}', '{"b": "2"}'));
    assert.equal(error?.message, invalid);
  });

  it("five filters > accepted; six > ValidationException", () => {
    const five = Array.from({ length: 5 }, (_, index) => `{"partitionKey": ["${index}"]}`);
    assert.equal(validateFilterCriteria(criteria(...five)), undefined);
    const error = validateFilterCriteria(criteria(...five, '{"partitionKey": ["5"]}'));
    assert.equal(error?.type, "ValidationException");
    assert.equal(error?.statusCode, 400);
    assert.match(error!.message, /^1 validation error detected: Value '.*' at 'filterCriteria\.filters' failed to satisfy constraint: Member must have length less than or equal to 5$/);
  });

  it("a pattern of 4,096 characters > accepted; 4,097 > ValidationException naming the member", () => {
    const padded = (length: number) => {
      const head = '{"partitionKey": ["';
      const tail = '"]}';
      return head + "x".repeat(length - head.length - tail.length) + tail;
    };
    assert.equal(validateFilterCriteria(criteria(padded(4096))), undefined);
    const long = padded(4097);
    const error = validateFilterCriteria(criteria('{"a": ["1"]}', long));
    assert.equal(error?.type, "ValidationException");
    assert.equal(
      error?.message,
      `1 validation error detected: Value '${long}' at 'filterCriteria.filters.2.member.pattern' failed to satisfy constraint: Member must have length less than or equal to 4096`,
    );
  });

  it("characters are counted as code points > 4,096 emoji are 8,192 UTF-16 units and accepted", () => {
    const head = '{"partitionKey": ["';
    const tail = '"]}';
    const pattern = head + "😀".repeat(4096 - head.length - tail.length) + tail;
    assert.equal(validateFilterCriteria(criteria(pattern)), undefined);
  });

  it("too many filters and too long a pattern > one ValidationException with both", () => {
    const long = `{"a": ["${"x".repeat(4100)}"]}`;
    const error = validateFilterCriteria(criteria(...Array.from({ length: 6 }, () => long)));
    assert.equal(error?.type, "ValidationException");
    assert.match(error!.message, /^7 validation errors detected: /);
  });

  it("every accepted pattern compiles", () => {
    const accepted = ['{"a": [1, "x", null, true, {"prefix": ""}]}', '{"data": {"$or": [{"a": ["1"]}, {"b": [{"exists": false}]}]}}'];
    for (const pattern of accepted) {
      assert.equal(validateFilterCriteria(criteria(pattern)), undefined, pattern);
      assert.doesNotThrow(() => compileFilterCriteria(criteria(pattern)));
    }
  });
});
