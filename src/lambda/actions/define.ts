/**
 * How an API action of this folder is declared: its route, IAM action and handler over the API's
 * context (api-context.ts). `defineApiAction` turns it into the shared LambdaAction.
 */
import type { LambdaAction, LambdaRequest, LambdaResponse } from "../action.js";
import { apiContextOf, type ApiContext } from "../api-context.js";

export interface ApiActionSpec {
  name: string;
  method: LambdaAction["method"];
  path: string;
  iamAction: string;
  run(context: ApiContext, request: LambdaRequest): Promise<LambdaResponse>;
}

export function defineApiAction(spec: ApiActionSpec): LambdaAction {
  return {
    name: spec.name,
    method: spec.method,
    path: spec.path,
    iamAction: spec.iamAction,
    run: (context, request) => spec.run(apiContextOf(context), request),
  };
}
