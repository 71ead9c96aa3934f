/** The DynamoDB lease-table subset served beside Kinesis (docs/dynamodb.md). */
export { createDynamoDbService, type DynamoDbServiceDeps } from "./service.js";
export type { DynamoDbConfig } from "./context.js";
