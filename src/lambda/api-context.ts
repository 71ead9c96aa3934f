/**
 * What the API's own actions need beyond the shared LambdaContext (action.ts): the function store,
 * the code store's writer and the asynchronous-invocation queue. index.ts builds one object that is
 * both; `apiContextOf` reads it back inside an action, so LambdaAction keeps its shared signature
 * (the event-source actions take the plain LambdaContext).
 */
import type { LambdaContext } from "./action.js";
import type { ObjectCodeStore } from "./code-store.js";
import type { FunctionStore } from "./function-store.js";
import type { AsyncInvocations } from "./async-invocations.js";

export interface ApiContext extends LambdaContext {
  readonly store: FunctionStore;
  readonly codeStore: ObjectCodeStore;
  readonly asyncInvocations: AsyncInvocations;
  /** Signs code download locations (actions/code-location.ts); drawn when the service is built. */
  readonly codeLocationKey: { readonly secret: Buffer };
  /** The server's URL, for code download locations; undefined before it listens. */
  readonly endpointUrl: () => string | undefined;
}

export function apiContextOf(context: LambdaContext): ApiContext {
  const candidate = context as Partial<ApiContext>;
  if (candidate.store === undefined || candidate.codeStore === undefined || candidate.asyncInvocations === undefined) {
    throw new Error("a Lambda API action ran without the API's context (index.ts builds it)");
  }
  return candidate as ApiContext;
}
