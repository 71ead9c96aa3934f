/**
 * A table as the service sees it: its definition (stored in TableMeta.definition), status, key
 * handling and DescribeTable's TableDescription.
 */
import type { TableMeta } from "../storage/types.js";
import type { DynamoDbContext } from "./context.js";
import { dynamoDbErrors } from "./errors.js";
import { sortableKeyPart, type AttributeValue, type Item } from "./attribute-value.js";

export interface KeySchemaElement {
  AttributeName: string;
  KeyType: "HASH" | "RANGE";
}

export interface AttributeDefinition {
  AttributeName: string;
  AttributeType: "S" | "N" | "B";
}

export interface TableDefinition {
  [member: string]: unknown;
  TableArn: string;
  TableId: string;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
  BillingMode: "PROVISIONED" | "PAY_PER_REQUEST";
  ReadCapacityUnits: number;
  WriteCapacityUnits: number;
  /** When CREATING turns ACTIVE. */
  activeAtMs: number;
}

export interface Table {
  meta: TableMeta;
  definition: TableDefinition;
  /** The key attributes with their types, HASH first. */
  keys: { name: string; type: "S" | "N" | "B" }[];
}

export function tableOf(meta: TableMeta): Table {
  const definition = meta.definition as TableDefinition;
  const keys = definition.KeySchema.map((element) => ({
    name: element.AttributeName,
    type: definition.AttributeDefinitions.find((attribute) => attribute.AttributeName === element.AttributeName)!.AttributeType,
  }));
  return { meta, definition, keys };
}

export function tableStatus(table: Table, nowMs: number): "CREATING" | "ACTIVE" {
  return nowMs < table.definition.activeAtMs ? "CREATING" : "ACTIVE";
}

/** The ACTIVE table item operations act on; AWS answers a CREATING one as not found. */
export async function activeTable(context: DynamoDbContext, tableName: string): Promise<Table> {
  const meta = await context.tables.get(context.accountId, tableName);
  if (meta === undefined) throw dynamoDbErrors.resourceNotFound();
  const table = tableOf(meta);
  if (tableStatus(table, context.clock.nowMs()) !== "ACTIVE") throw dynamoDbErrors.resourceNotFound();
  return table;
}

export async function describeTable(context: DynamoDbContext, table: Table, status?: string): Promise<Record<string, unknown>> {
  const { definition, meta } = table;
  const stats = await context.tables.stats(meta.tableId);
  const creation = new Date(meta.createdAtMs);
  const description: Record<string, unknown> = {
    AttributeDefinitions: definition.AttributeDefinitions,
    TableName: meta.TableName,
    KeySchema: definition.KeySchema,
    TableStatus: status ?? tableStatus(table, context.clock.nowMs()),
    CreationDateTime: creation,
    ProvisionedThroughput: {
      NumberOfDecreasesToday: 0,
      ReadCapacityUnits: definition.ReadCapacityUnits,
      WriteCapacityUnits: definition.WriteCapacityUnits,
    },
    TableSizeBytes: stats.sizeBytes,
    ItemCount: stats.itemCount,
    TableArn: definition.TableArn,
    TableId: definition.TableId,
  };
  if (definition.BillingMode === "PAY_PER_REQUEST") {
    description.BillingModeSummary = { BillingMode: "PAY_PER_REQUEST", LastUpdateToPayPerRequestDateTime: creation };
    description.TableThroughputModeSummary = { TableThroughputMode: "PAY_PER_REQUEST" };
  }
  description.DeletionProtectionEnabled = false;
  return description;
}

const keyMismatch = "The provided key element does not match the schema";

/** Checks a Key against the schema (AWS's order and words); throws ValidationException. */
export function checkKey(table: Table, key: Item, prefix = ""): void {
  if (Object.keys(key).length !== table.keys.length) throw dynamoDbErrors.validation(`${prefix}${keyMismatch}`);
  table.keys.forEach((keyAttribute, index) => checkKeyPiece(key, keyAttribute, index === 0, prefix, keyMismatch));
}

/** Checks an item carries its key attributes, of the right types. */
export function checkItemKey(table: Table, item: Item): void {
  table.keys.forEach((keyAttribute, index) => {
    const value = item[keyAttribute.name];
    if (value === undefined) throw dynamoDbErrors.validation(`One or more parameter values were invalid: Missing the key ${keyAttribute.name} in the item`);
    if (!(keyAttribute.type in value)) {
      throw dynamoDbErrors.validation(
        `One or more parameter values were invalid: Type mismatch for key ${keyAttribute.name} expected: ${keyAttribute.type} actual: ${Object.keys(value)[0]}`,
      );
    }
    checkKeyPiece(item, keyAttribute, index === 0, "", keyMismatch);
  });
}

function checkKeyPiece(key: Item, keyAttribute: Table["keys"][number], isHash: boolean, prefix: string, mismatch: string): void {
  const value = key[keyAttribute.name] as Record<string, unknown> | undefined;
  if (value === undefined || value[keyAttribute.type] === undefined) throw dynamoDbErrors.validation(`${prefix}${mismatch}`);
  const payload = value[keyAttribute.type] as string;
  if (payload === "" && keyAttribute.type !== "N") {
    throw dynamoDbErrors.validation(
      `${prefix}One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty ${keyAttribute.type === "S" ? "string" : "binary"} value. Key: ${keyAttribute.name}`,
    );
  }
  if (keyAttribute.type === "N") return;
  const bytes = keyAttribute.type === "S" ? Buffer.byteLength(payload, "utf8") : Buffer.from(payload, "base64").length;
  if (isHash && bytes > 2048) throw dynamoDbErrors.validation(`${prefix}One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes`);
  if (!isHash && bytes > 1024) throw dynamoDbErrors.validation(`${prefix}One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes`);
}

/** The storage ordering key of an item (or a Key): key parts joined by a space, which sorts before every part's characters. */
export function storageKey(table: Table, key: Item): string {
  return table.keys.map((keyAttribute) => sortableKeyPart(key[keyAttribute.name] as AttributeValue)).join(" ");
}

/** The key attributes of an item. */
export function keyOf(table: Table, item: Item): Item {
  const key: Item = {};
  for (const keyAttribute of table.keys) key[keyAttribute.name] = item[keyAttribute.name]!;
  return key;
}

export function tableArn(context: DynamoDbContext, tableName: string): string {
  return `arn:aws:dynamodb:${context.config.region}:${context.accountId}:table/${tableName}`;
}
