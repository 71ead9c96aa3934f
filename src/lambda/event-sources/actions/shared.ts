/** What the event source mapping actions share: finding a mapping, naming a function, the 202 answer. */
import { lambdaErrors } from "../../errors.js";
import type { LambdaContext, LambdaResponse } from "../../action.js";
import { mappingConfiguration, type MappingRecord } from "../mapping.js";

export const mappingsPath = "/2015-03-31/event-source-mappings/";

export async function existingMapping(context: LambdaContext, accountId: string, uuid: string): Promise<MappingRecord> {
  const record = await context.eventSources.mappings.get(accountId, uuid);
  if (record === undefined) throw lambdaErrors.resourceNotFound("The resource you requested does not exist.");
  return record;
}

export function answer(statusCode: number, record: MappingRecord): LambdaResponse {
  return { statusCode, body: mappingConfiguration(record) };
}

/**
 * The function name and qualifier a FunctionName names: `name`, `name:qualifier`,
 * `account:function:name[:qualifier]` or a full ARN.
 */
export function functionNameOf(nameOrArn: string): { name: string; qualifier?: string } {
  const parts = nameOrArn.split(":");
  if (parts[0] === "arn") return withQualifier(parts[6] ?? "", parts[7]);
  if (parts.length >= 3 && parts[1] === "function") return withQualifier(parts[2] ?? "", parts[3]);
  return withQualifier(parts[0] ?? "", parts[1]);
}

function withQualifier(name: string, qualifier: string | undefined): { name: string; qualifier?: string } {
  return qualifier === undefined ? { name } : { name, qualifier };
}

/** FunctionName: required on create, Lambda's model bounds (1–140 characters). */
export function readFunctionName(json: Record<string, unknown>, required: boolean): string | undefined {
  const value = json.FunctionName;
  if (value === undefined || value === null) {
    if (required) throw lambdaErrors.validation(["Value null at 'functionName' failed to satisfy constraint: Member must not be null"]);
    return undefined;
  }
  if (typeof value !== "string") throw lambdaErrors.invalidParameterValue("Invalid type for parameter FunctionName, value type must be string.");
  if (value.length < 1 || value.length > 140) {
    throw lambdaErrors.validation([`Value '${value}' at 'functionName' failed to satisfy constraint: Member must have length ${value.length < 1 ? "greater than or equal to 1" : "less than or equal to 140"}`]);
  }
  return value;
}

/** The mapping's FunctionArn for a function the caller named: qualified only if the caller qualified it. */
export async function mappedFunctionArn(context: LambdaContext, accountId: string, functionName: string): Promise<string> {
  const fn = await context.functions.resolve(accountId, functionName);
  if (fn === undefined) throw lambdaErrors.invalidParameterValue("Function does not exist");
  return functionNameOf(functionName).qualifier === undefined ? fn.functionArn : `${fn.functionArn}:${functionNameOf(functionName).qualifier}`;
}
