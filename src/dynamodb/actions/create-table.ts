import { randomUUIDFrom } from "../../util/uuid.js";
import { defineAction } from "../action.js";
import { dynamoDbErrors } from "../errors.js";
import { requiredTableNameMember, type MemberShape } from "../shapes/shape.js";
import { describeTable, tableArn, tableOf, type AttributeDefinition, type KeySchemaElement, type TableDefinition } from "../table.js";

interface CreateTableInput {
  TableName: string;
  AttributeDefinitions: AttributeDefinition[];
  KeySchema: KeySchemaElement[];
  BillingMode?: "PROVISIONED" | "PAY_PER_REQUEST";
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  LocalSecondaryIndexes?: unknown[];
  GlobalSecondaryIndexes?: unknown[];
}

const throughput: MemberShape = {
  type: "Struct",
  name: "ProvisionedThroughput",
  members: {
    WriteCapacityUnits: { type: "Long", notNull: true, min: 1 },
    ReadCapacityUnits: { type: "Long", notNull: true, min: 1 },
  },
};
const invalid = "One or more parameter values were invalid: ";
/** AWS's ceiling on provisioned capacity units. */
const capacityUnitsMax = 1_000_000_000_000;

export const createTable = defineAction<CreateTableInput>({
  iamAction: "dynamodb:CreateTable",
  resource: "table",
  shape: {
    AttributeDefinitions: {
      type: "List",
      notNull: true,
      member: {
        type: "Struct",
        name: "AttributeDefinition",
        members: { AttributeName: { type: "String", notNull: true }, AttributeType: { type: "String", notNull: true, enum: ["B", "N", "S"] } },
      },
    },
    TableName: requiredTableNameMember,
    BillingMode: { type: "String", enum: ["PROVISIONED", "PAY_PER_REQUEST"] },
    ProvisionedThroughput: throughput,
    KeySchema: {
      type: "List",
      notNull: true,
      lengthMin: 1,
      lengthMax: 2,
      member: {
        type: "Struct",
        name: "KeySchemaElement",
        members: { AttributeName: { type: "String", notNull: true }, KeyType: { type: "String", notNull: true, enum: ["HASH", "RANGE"] } },
      },
    },
    // Accepted so they can be refused in words: this subset serves no secondary indexes.
    LocalSecondaryIndexes: { type: "List", member: { type: "Struct", name: "LocalSecondaryIndex", members: {} } },
    GlobalSecondaryIndexes: { type: "List", member: { type: "Struct", name: "GlobalSecondaryIndex", members: {} } },
  },
  check(input) {
    const fail = (message: string) => {
      throw dynamoDbErrors.validation(message);
    };
    if (input.BillingMode === "PAY_PER_REQUEST") {
      if (input.ProvisionedThroughput) fail(`${invalid}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST`);
    } else {
      const units = input.ProvisionedThroughput;
      if (!units || !units.ReadCapacityUnits || !units.WriteCapacityUnits) {
        fail(`${invalid}ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED`);
      }
      if (units!.ReadCapacityUnits > capacityUnitsMax) fail(`Given value ${units!.ReadCapacityUnits} for ReadCapacityUnits is out of bounds`);
      if (units!.WriteCapacityUnits > capacityUnitsMax) fail(`Given value ${units!.WriteCapacityUnits} for WriteCapacityUnits is out of bounds`);
    }
    const defined = input.AttributeDefinitions.map((definition) => definition.AttributeName);
    const keys = input.KeySchema.map((element) => element.AttributeName);
    if (keys.length > defined.length) fail("Invalid KeySchema: Some index key attribute have no definition");
    if (keys.some((key) => !defined.includes(key))) {
      fail(`${invalid}Some index key attributes are not defined in AttributeDefinitions. Keys: [${keys.join(", ")}], AttributeDefinitions: [${defined.join(", ")}]`);
    }
    if (keys[0] === keys[1]) fail("Both the Hash Key and the Range Key element in the KeySchema have the same name");
    if (input.KeySchema[0]!.KeyType !== "HASH") fail("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (input.KeySchema[1] && input.KeySchema[1].KeyType !== "RANGE") fail("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    if (input.LocalSecondaryIndexes || input.GlobalSecondaryIndexes) fail(`${invalid}Secondary indexes are not supported by this server`);
    if (input.KeySchema.length !== input.AttributeDefinitions.length) {
      fail(`${invalid}Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions`);
    }
  },
  async run(context, input) {
    if ((await context.tables.get(context.accountId, input.TableName)) !== undefined) throw dynamoDbErrors.resourceInUse(input.TableName);
    const nowMs = context.clock.nowMs();
    const tableId = randomUUIDFrom(context.random);
    const payPerRequest = input.BillingMode === "PAY_PER_REQUEST";
    const definition: TableDefinition = {
      TableArn: tableArn(context, input.TableName),
      TableId: tableId,
      KeySchema: input.KeySchema,
      AttributeDefinitions: input.AttributeDefinitions,
      BillingMode: payPerRequest ? "PAY_PER_REQUEST" : "PROVISIONED",
      ReadCapacityUnits: payPerRequest ? 0 : input.ProvisionedThroughput!.ReadCapacityUnits,
      WriteCapacityUnits: payPerRequest ? 0 : input.ProvisionedThroughput!.WriteCapacityUnits,
      activeAtMs: nowMs + context.config.createTableMs,
    };
    const meta = { tableId, accountId: context.accountId, TableName: input.TableName, createdAtMs: nowMs, definition };
    const outcome = await context.tables.create(meta);
    // Another creation of the name got there between the check above and this one.
    if (!outcome.ok && "exists" in outcome) throw dynamoDbErrors.resourceInUse(input.TableName);
    if (!outcome.ok) throw dynamoDbErrors.internal(outcome.failure.cause ?? new Error(outcome.failure.message));
    const table = tableOf(meta);
    // AWS answers CreateTable with the table CREATING, however soon it turns ACTIVE.
    return { TableDescription: await describeTable(context, table, "CREATING") };
  },
});
