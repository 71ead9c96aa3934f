/**
 * The DynamoDB service's wire errors (docs/dynamodb.md, "Errors"). DynamoDB qualifies every
 * `__type`: its own exceptions with `com.amazonaws.dynamodb.v20120810#`, validation with
 * `com.amazon.coral.validate#`, the RPC layer's with `com.amazon.coral.service#` (the envelopes
 * dynalite records for AWS). SDKs strip the prefix to name the exception. All answer HTTP 400
 * except the internal error (500).
 */
import { ServiceError } from "../protocol/service-error.js";

const dynamo = "com.amazonaws.dynamodb.v20120810#";
const coralService = "com.amazon.coral.service#";

export const dynamoDbErrors = {
  validation: (message: string) => new ServiceError("com.amazon.coral.validate#ValidationException", message, 400),
  serialization: (message: string) => new ServiceError(`${coralService}SerializationException`, message, 400),
  /** DescribeTable and DeleteTable name the table; item operations and a CREATING table do not. */
  resourceNotFound: (tableName?: string) =>
    new ServiceError(`${dynamo}ResourceNotFoundException`, tableName === undefined ? "Requested resource not found" : `Requested resource not found: Table: ${tableName} not found`, 400),
  resourceInUse: (tableName: string) => new ServiceError(`${dynamo}ResourceInUseException`, `Table already exists: ${tableName}`, 400),
  conditionalCheckFailed: () => new ServiceError(`${dynamo}ConditionalCheckFailedException`, "The conditional request failed", 400),
  accessDenied: (principalArn: string, iamAction: string, resourceArn: string, explicit: boolean) =>
    new ServiceError(
      `${coralService}AccessDeniedException`,
      `User: ${principalArn} is not authorized to perform: ${iamAction} on resource: ${resourceArn} ` +
        (explicit ? "with an explicit deny in an identity-based policy" : `because no identity-based policy allows the ${iamAction} action`),
      400,
    ),
  internal: (cause: unknown) => new ServiceError(`${dynamo}InternalServerError`, "Internal server error", 500, { cause }),
};

/** The pipeline's own errors, qualified as DynamoDB's clients expect them. */
export function qualifyPipelineErrorType(type: string): string {
  return type.includes("#") ? type : `${coralService}${type}`;
}
