import { defineAction } from "../action.js";
import { itemSizeBytes, type AttributeValue, type Item } from "../attribute-value.js";
import { dynamoDbErrors } from "../errors.js";
import { matches, project } from "../expressions/evaluate.js";
import { matchesExpected, type ExpectedAttribute } from "../expressions/legacy.js";
import { checkExpressionParams, parseExpressions } from "../request-expressions.js";
import { validateAttributeValue } from "../attribute-value.js";
import {
  attributesToGet, conditionalOperator, expressionAttributeNames, expressionAttributeValues, returnConsumedCapacity, scanFilter,
} from "../shapes/common.js";
import { tableNameMember } from "../shapes/shape.js";
import { activeTable, checkKey, keyOf, storageKey } from "../table.js";

interface ScanInput {
  TableName: string;
  Limit?: number;
  Select?: string;
  Segment?: number;
  TotalSegments?: number;
  ExclusiveStartKey?: Item;
  AttributesToGet?: string[];
  ScanFilter?: Record<string, ExpectedAttribute>;
  ConditionalOperator?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** AWS stops a page once it has read 1 MB of items. */
const pageBytesMax = 1024 * 1024;
/** Items read from the store per step. */
const batchItems = 256;

export const scan = defineAction<ScanInput>({
  iamAction: "dynamodb:Scan",
  resource: "table",
  shape: {
    Select: { type: "String", enum: ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"] },
    IndexName: { type: "String", regex: "[a-zA-Z0-9_.-]+", lengthMin: 3, lengthMax: 255 },
    TotalSegments: { type: "Integer", min: 1 },
    ReturnConsumedCapacity: returnConsumedCapacity,
    TableName: tableNameMember,
    ConditionalOperator: conditionalOperator,
    ScanFilter: scanFilter,
    Segment: { type: "Integer", min: 0 },
    Limit: { type: "Integer", min: 1 },
    AttributesToGet: attributesToGet,
    ExclusiveStartKey: { type: "AttributeMap" },
    ConsistentRead: { type: "Boolean" },
    FilterExpression: { type: "String" },
    ProjectionExpression: { type: "String" },
    ExpressionAttributeValues: expressionAttributeValues,
    ExpressionAttributeNames: expressionAttributeNames,
  },
  check(input) {
    checkExpressionParams(input as never, ["ProjectionExpression", "FilterExpression"], ["AttributesToGet", "ScanFilter", "ConditionalOperator"]);
    for (const value of Object.values(input.ExclusiveStartKey ?? {})) {
      const message = validateAttributeValue(value as Record<string, unknown>);
      if (message) {
        const bare = /contains duplicates|number set|numeric value|significant digits|number with magnitude/.test(message);
        throw dynamoDbErrors.validation(bare ? message : `The provided starting key is invalid: ${message}`);
      }
    }
    if (input.Segment !== undefined && input.TotalSegments === undefined) {
      throw dynamoDbErrors.validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
    }
    if (input.TotalSegments !== undefined) {
      if (input.Segment === undefined) {
        throw dynamoDbErrors.validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
      }
      if (input.Segment >= input.TotalSegments) {
        throw dynamoDbErrors.validation(
          `The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${input.Segment} is not less than TotalSegments: ${input.TotalSegments}`,
        );
      }
    }
  },
  async run(context, input) {
    const { filter, projection } = parseExpressions(input);
    const table = await activeTable(context, input.TableName);
    let after: string | undefined;
    if (input.ExclusiveStartKey !== undefined) {
      checkKey(table, input.ExclusiveStartKey, "The provided starting key is invalid: ");
      after = storageKey(table, input.ExclusiveStartKey);
    }
    const limit = input.Limit ?? Number.MAX_SAFE_INTEGER;
    const segment = input.Segment ?? 0;
    const segments = input.TotalSegments ?? 1;
    const paths = projection ?? input.AttributesToGet?.map((name) => [name]);
    const items: Item[] = [];
    let scanned = 0;
    let bytes = 0;
    let last: Item | undefined;
    let exhausted = false;
    while (scanned < limit && bytes < pageBytesMax) {
      const entries = await context.tables.scan(table.meta.tableId, after, Math.min(batchItems, limit - scanned));
      if (entries.length === 0) {
        exhausted = true;
        break;
      }
      for (const entry of entries) {
        after = entry.key;
        // Segments divide the key space by a hash of the key, so each sees a stable share.
        if (segments > 1 && segmentOf(entry.key, segments) !== segment) continue;
        const item = JSON.parse(entry.value) as Item;
        scanned++;
        bytes += itemSizeBytes(item);
        last = item;
        const kept = filter !== undefined ? matches(item, filter) : input.ScanFilter === undefined || matchesExpected(item, input.ScanFilter, input.ConditionalOperator);
        if (kept) items.push(paths === undefined ? item : project(item, paths));
        if (scanned >= limit || bytes >= pageBytesMax) break;
      }
    }
    // A page that stopped at its limit names where it stopped, even when nothing follows (AWS does the same).
    const stoppedEarly = !exhausted && last !== undefined;
    return {
      ...(input.Select !== "COUNT" && { Items: items }),
      Count: items.length,
      ScannedCount: scanned,
      ...(stoppedEarly && { LastEvaluatedKey: keyOf(table, last!) }),
    };
  },
});

function segmentOf(key: string, segments: number): number {
  let hash = 2166136261;
  for (let index = 0; index < key.length; index++) hash = Math.imul(hash ^ key.charCodeAt(index), 16777619) >>> 0;
  return hash % segments;
}
