/**
 * DynamoDB's JSON 1.0 error envelopes through raw HTTP: exact `__type`, message and status, each
 * compared with dynalite's answer to the same request where dynalite implements the check.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { dynamoCall, startDynalite, startTributary, type DynamoEndpoint } from "./helpers.js";
import { rawRequest } from "../helpers/raw.js";

const table = "envelopes";
const createBody = {
  TableName: table,
  KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }],
  AttributeDefinitions: [{ AttributeName: "leaseKey", AttributeType: "S" }],
  BillingMode: "PAY_PER_REQUEST",
};

/** [breadcrumb, action, body, __type, message] — the same on both servers. */
const cases: [string, string, unknown, string, string | undefined][] = [
  ["unknown action", "UpdateTable2", {}, "com.amazon.coral.service#UnknownOperationException", undefined],
  ["GetItem > missing table", "GetItem", { TableName: "nothing", Key: { a: { S: "b" } } }, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "Requested resource not found"],
  ["DescribeTable > missing table", "DescribeTable", { TableName: "nothing" }, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "Requested resource not found: Table: nothing not found"],
  ["DescribeTable > no name", "DescribeTable", {}, "com.amazon.coral.validate#ValidationException", "The parameter 'TableName' is required but was not present in the request"],
  ["GetItem > short name and no key", "GetItem", { TableName: "ab" }, "com.amazon.coral.validate#ValidationException",
    "2 validation errors detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value null at 'key' failed to satisfy constraint: Member must not be null"],
  ["GetItem > key of the wrong type", "GetItem", { TableName: table, Key: { leaseKey: { N: "1" } } }, "com.amazon.coral.validate#ValidationException", "The provided key element does not match the schema"],
  ["PutItem > item without its key", "PutItem", { TableName: table, Item: { other: { S: "x" } } }, "com.amazon.coral.validate#ValidationException", "One or more parameter values were invalid: Missing the key leaseKey in the item"],
  ["PutItem > condition fails", "PutItem", { TableName: table, Item: { leaseKey: { S: "held" } }, ConditionExpression: "attribute_not_exists(leaseKey)" },
    "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "The conditional request failed"],
  ["PutItem > unused value", "PutItem", { TableName: table, Item: { leaseKey: { S: "a" } }, ConditionExpression: "a = :b", ExpressionAttributeValues: { ":b": { S: "1" }, ":c": { S: "2" } } },
    "com.amazon.coral.validate#ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c}"],
  ["PutItem > empty condition", "PutItem", { TableName: table, Item: { leaseKey: { S: "a" } }, ConditionExpression: "" },
    "com.amazon.coral.validate#ValidationException", "Invalid ConditionExpression: The expression can not be empty;"],
  ["PutItem > undefined name", "PutItem", { TableName: table, Item: { leaseKey: { S: "a" } }, ConditionExpression: "attribute_exists(#k)" },
    "com.amazon.coral.validate#ValidationException", "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #k"],
  ["PutItem > reserved word", "PutItem", { TableName: table, Item: { leaseKey: { S: "a" } }, ConditionExpression: "attribute_exists(owner)" },
    "com.amazon.coral.validate#ValidationException", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: owner"],
  ["PutItem > bad number", "PutItem", { TableName: table, Item: { leaseKey: { S: "a" }, n: { N: "x1" } } },
    "com.amazon.coral.validate#ValidationException", "The parameter cannot be converted to a numeric value: x1"],
  ["PutItem > both expression and legacy", "PutItem", { TableName: table, Item: { leaseKey: { S: "a" } }, ConditionExpression: "attribute_exists(a)", Expected: { a: { Exists: false } } },
    "com.amazon.coral.validate#ValidationException", "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"],
  ["PutItem > ReturnValues ALL_NEW", "PutItem", { TableName: table, Item: { leaseKey: { S: "a" } }, ReturnValues: "ALL_NEW" },
    "com.amazon.coral.validate#ValidationException", "ReturnValues can only be ALL_OLD or NONE"],
  ["UpdateItem > a key attribute", "UpdateItem", { TableName: table, Key: { leaseKey: { S: "a" } }, UpdateExpression: "SET leaseKey = :v", ExpressionAttributeValues: { ":v": { S: "b" } } },
    "com.amazon.coral.validate#ValidationException", "One or more parameter values were invalid: Cannot update attribute leaseKey. This attribute is part of the key"],
  ["UpdateItem > ADD of a string", "UpdateItem", { TableName: table, Key: { leaseKey: { S: "a" } }, UpdateExpression: "ADD c :v", ExpressionAttributeValues: { ":v": { S: "b" } } },
    "com.amazon.coral.validate#ValidationException", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"],
  ["UpdateItem > arithmetic on a missing attribute", "UpdateItem", { TableName: table, Key: { leaseKey: { S: "fresh" } }, UpdateExpression: "SET c = c + :v", ExpressionAttributeValues: { ":v": { N: "1" } } },
    "com.amazon.coral.validate#ValidationException", "The provided expression refers to an attribute that does not exist in the item"],
  ["CreateTable > exists", "CreateTable", createBody, "com.amazonaws.dynamodb.v20120810#ResourceInUseException", undefined],
  ["CreateTable > PROVISIONED without throughput", "CreateTable", { ...createBody, TableName: "other", BillingMode: undefined },
    "com.amazon.coral.validate#ValidationException", "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"],
  ["CreateTable > key without a definition", "CreateTable", { ...createBody, TableName: "other", AttributeDefinitions: [{ AttributeName: "x", AttributeType: "S" }] },
    "com.amazon.coral.validate#ValidationException", "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [leaseKey], AttributeDefinitions: [x]"],
  ["Scan > start key of another schema", "Scan", { TableName: table, ExclusiveStartKey: { other: { S: "x" } } },
    "com.amazon.coral.validate#ValidationException", "The provided starting key is invalid: The provided key element does not match the schema"],
];

describe("dynamodb > errors", () => {
  const endpoints: DynamoEndpoint[] = [];
  before(async () => {
    endpoints.push(await startTributary(), await startDynalite());
    for (const endpoint of endpoints) {
      assert.equal((await dynamoCall(endpoint.url, "CreateTable", createBody)).statusCode, 200);
      assert.equal((await dynamoCall(endpoint.url, "PutItem", { TableName: table, Item: { leaseKey: { S: "held" } } })).statusCode, 200);
    }
  });
  after(async () => {
    for (const endpoint of endpoints) await endpoint.stop();
  });

  for (const [breadcrumb, action, body, type, message] of cases) {
    it(`${breadcrumb} > ${type.split("#")[1]}`, async () => {
      for (const endpoint of endpoints) {
        const response = await dynamoCall(endpoint.url, action, body);
        assert.equal(response.statusCode, 400, endpoint.name);
        assert.equal(response.headers["content-type"], "application/x-amz-json-1.0", endpoint.name);
        assert.equal(response.body.__type, type, endpoint.name);
        // dynalite leaves ResourceInUseException's message empty; AWS names the table.
        if (type.endsWith("#ResourceInUseException")) {
          if (endpoint.name === "tributary") assert.equal(response.body.message, `Table already exists: ${table}`);
        } else {
          assert.equal(response.body.message, message, endpoint.name);
        }
      }
    });
  }

  it("an expression over 4 KB > ValidationException, before it is parsed (our wording: dynalite has no such check)", async () => {
    const expression = "attribute_exists(a) AND ".repeat(170) + "attribute_exists(a)"; // 4,099 bytes
    const response = await dynamoCall(endpoints[0]!.url, "PutItem", { TableName: table, Item: { leaseKey: { S: "a" } }, ConditionExpression: expression });
    assert.equal(response.statusCode, 400);
    assert.equal(response.body.__type, "com.amazon.coral.validate#ValidationException");
    assert.equal(response.body.message, `Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: ${Buffer.byteLength(expression)}`);
  });

  it("a deeply nested expression within 4 KB is parsed, not a stack overflow", async () => {
    const expression = "(".repeat(2000) + "attribute_not_exists(leaseKey)" + ")".repeat(2000);
    const response = await dynamoCall(endpoints[0]!.url, "PutItem", { TableName: table, Item: { leaseKey: { S: "nested" } }, ConditionExpression: expression });
    assert.equal(response.statusCode, 200, JSON.stringify(response.body));
  });

  it("a body that is not JSON > SerializationException, qualified", async () => {
    const response = await dynamoCall(endpoints[0]!.url, "GetItem", "{not json");
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.body, { __type: "com.amazon.coral.service#SerializationException" });
  });

  it("a DynamoDB target in Kinesis's content type > 404 UnknownOperationException, as dynalite answers", async () => {
    for (const endpoint of endpoints) {
      const response = await rawRequest(endpoint.url, JSON.stringify({ TableName: table }), {
        target: "DynamoDB_20120810.DescribeTable",
        contentType: "application/x-amz-json-1.1",
        headers: { authorization: "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=x", "x-amz-date": "20240101T000000Z" },
      });
      assert.equal(response.statusCode, 404, endpoint.name);
      assert.equal(response.raw.toString(), "<UnknownOperationException/>\n", endpoint.name);
    }
  });

  it("numbers past an Integer's range are held to it, never 'Infinity' (ours: dynalite floors and lets Infinity through)", async () => {
    const low = await dynamoCall(endpoints[0]!.url, "Scan", `{"TableName":"${table}","Limit":-1e309}`);
    assert.equal(low.statusCode, 400);
    assert.deepEqual(low.body, {
      __type: "com.amazon.coral.validate#ValidationException",
      message: "1 validation error detected: Value '-2147483648' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });
    const high = await dynamoCall(endpoints[0]!.url, "Scan", `{"TableName":"${table}","Limit":1e309}`);
    assert.equal(high.statusCode, 200, JSON.stringify(high.body));
    const fraction = await dynamoCall(endpoints[0]!.url, "Scan", `{"TableName":"${table}","Limit":0.5}`);
    assert.equal((fraction.body as { message: string }).message, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });

  it("the plain `application/json` media type > read as DynamoDB's JSON and answered in it, as dynalite records", async () => {
    for (const endpoint of endpoints) {
      const headers = { authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc", "x-amz-date": "20240101T000000Z" };
      const found = await rawRequest(endpoint.url, JSON.stringify({ TableName: table }), { target: "DynamoDB_20120810.DescribeTable", contentType: "application/json", headers });
      assert.equal(found.statusCode, 200, endpoint.name);
      assert.equal(found.headers["content-type"], "application/json", endpoint.name);
      assert.equal((found.body as { Table: { TableName: string } }).Table.TableName, table, endpoint.name);
      const missing = await rawRequest(endpoint.url, JSON.stringify({ TableName: "nothing" }), { target: "DynamoDB_20120810.DescribeTable", contentType: " application/json ; charset=utf-8", headers });
      assert.equal(missing.statusCode, 400, endpoint.name);
      assert.equal(missing.headers["content-type"], "application/json", endpoint.name);
      assert.deepEqual(missing.body, { __type: "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", message: "Requested resource not found: Table: nothing not found" }, endpoint.name);
    }
  });

  it("a wrong JSON type > SerializationException in the deserializer's words, under `Message` as dynalite records", async () => {
    for (const endpoint of endpoints) {
      const response = await dynamoCall(endpoint.url, "GetItem", { TableName: 5, Key: {} });
      assert.equal(response.statusCode, 400, endpoint.name);
      assert.deepEqual(response.body, { __type: "com.amazon.coral.service#SerializationException", Message: "NUMBER_VALUE cannot be converted to String" }, endpoint.name);
    }
  });
});
