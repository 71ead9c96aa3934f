/** The DynamoDB lease-table subset served beside Kinesis (docs/dynamodb.md). */
export { createDynamoDbService, dynamoDbServiceModule, type DynamoDbService, type DynamoDbServiceDeps, type DynamoDbModuleDeps } from "./service.js";
export type { DynamoDbConfig } from "./context.js";
