import { hasExpressions, parsePrefix, type Segment } from "./prefix-expression.js";

/**
 * CreateDeliveryStream / UpdateDestination checks of Prefix and ErrorOutputPrefix, answered as
 * InvalidArgumentException with these messages. Wording from AWS where it has been seen:
 * - "Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be
 *   null or empty when Prefix contains expressions" (the service's text, typo included; quoted in
 *   hashicorp/terraform-provider-aws#13416 and serverless/serverless#6015);
 * - "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic
 *   Partitioning is enabled." (hashicorp/terraform-provider-aws#29092);
 * - "S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic Partitioning is enabled",
 *   "MetadataExtraction processor should be present when S3 Prefix has partitionKeyFromQuery
 *   namespace.", "Lambda should be present when S3 Prefix contains keys from
 *   partitionKeyFromLambda namespace" (CloudFormation's relay of the service, recorded in aws-cdk).
 * The other rules of the "Semantic rules" list take the first message's form with the rule as the
 * docs word it (no recording of the service's text was found for them).
 */
export const prefixConstraint = "Ths supplied prefix(es) do not satisfy the following constraint: ";
export const prefixEvaluatedLengthMax = 512;

export interface PrefixProcessors {
  /** A MetadataExtraction processor is configured (and processing enabled). */
  readonly metadataExtraction: boolean;
  /** A Lambda processor is configured (and processing enabled). */
  readonly lambda: boolean;
}

/**
 * Checks a destination's prefixes. `processors`, when given, adds the dynamic partitioning
 * checks that need the processor list.
 *
 * @example
 *   validatePrefixes("logs/!{timestamp:yyyy}/", undefined, false)
 *   // → { message: "Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions" }
 */
export function validatePrefixes(
  prefix: string | undefined,
  errorOutputPrefix: string | undefined,
  dynamicPartitioningEnabled: boolean,
  processors?: PrefixProcessors,
): { message: string } | undefined {
  const data = parsePrefix(prefix ?? "");
  if (!data.ok) return { message: parseProblem("Prefix", data.problem, data.expression) };
  const errors = parsePrefix(errorOutputPrefix ?? "");
  if (!errors.ok) return { message: parseProblem("ErrorOutputPrefix", errors.problem, errors.expression) };

  const partitionKinds = new Set(data.segments.filter(isPartitionKey).map((segment) => segment.kind));
  if (partitionKinds.size > 0 && !dynamicPartitioningEnabled) {
    return { message: "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled." };
  }
  if (dynamicPartitioningEnabled && partitionKinds.size === 0) {
    return { message: "S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic Partitioning is enabled" };
  }
  if (processors && partitionKinds.has("partitionKeyFromQuery") && !processors.metadataExtraction) {
    return { message: "MetadataExtraction processor should be present when S3 Prefix has partitionKeyFromQuery namespace." };
  }
  if (processors && partitionKinds.has("partitionKeyFromLambda") && !processors.lambda) {
    return { message: "Lambda should be present when S3 Prefix contains keys from partitionKeyFromLambda namespace" };
  }
  if (data.segments.some((segment) => segment.kind === "error-output-type")) {
    return { message: prefixConstraint + "Prefix cannot contain !{firehose:error-output-type}" };
  }
  if (hasExpressions(data.segments) && (errorOutputPrefix === undefined || errorOutputPrefix === "")) {
    return { message: prefixConstraint + "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions" };
  }
  if (errors.segments.some(isPartitionKey)) {
    return { message: prefixConstraint + "ErrorOutputPrefix cannot contain partitionKeyFromQuery or partitionKeyFromLambda namespaces" };
  }
  if (hasExpressions(errors.segments) && !errors.segments.some((segment) => segment.kind === "error-output-type")) {
    return { message: prefixConstraint + "ErrorOutputPrefix must contain at least one instance of !{firehose:error-output-type} when it contains expressions" };
  }
  return undefined;
}

function isPartitionKey(segment: Segment): segment is Extract<Segment, { kind: "partitionKeyFromQuery" | "partitionKeyFromLambda" }> {
  return segment.kind === "partitionKeyFromQuery" || segment.kind === "partitionKeyFromLambda";
}

function parseProblem(field: "Prefix" | "ErrorOutputPrefix", problem: string, expression: string | undefined): string {
  switch (problem) {
    case "unterminated":
      return `${prefixConstraint}The sequence !{ can only appear in !{namespace:value} expressions in ${field}`;
    case "unknown-namespace":
      return `${prefixConstraint}Unsupported namespace in ${field} expression ${expression}; supported namespaces are firehose, timestamp, partitionKeyFromQuery and partitionKeyFromLambda`;
    case "unknown-firehose-value":
      return `${prefixConstraint}Unsupported value in ${field} expression ${expression}; the firehose namespace supports error-output-type and random-string`;
    case "bad-timestamp":
      return `${prefixConstraint}The timestamp expression ${expression} in ${field} is not a valid Java DateTimeFormatter pattern`;
    default:
      return `${prefixConstraint}The expression ${expression} in ${field} has no value`;
  }
}
