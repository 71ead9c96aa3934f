/**
 * The wiring every JSON service on the action pipeline (action-pipeline.ts) repeats: its
 * AwsService face (X-Amz-Target prefix, signing name, dialect) over the pipeline, the caller's
 * context (the shared one for the anonymous caller; a copy with the caller's principal and account
 * for anyone the service's authorizer lets through), and the answer to
 * an exception no action expected — logged with the action's name, answered as the service's
 * internal error (each service words and codes its own).
 */
import type { Logger } from "../util/logger.js";
import type { ActionInput, ActionPipeline, PipelineAction, PipelineStages } from "./action-pipeline.js";
import type { AwsService } from "./aws-service.js";
import type { ServiceError } from "./service-error.js";

export type RpcFace<P> = Omit<AwsService<P>, "hasAction" | "invoke">;

export function pipelineRpc<P>(pipeline: ActionPipeline, face: RpcFace<P>): AwsService<P> {
  return { ...face, hasAction: pipeline.hasAction, invoke: pipeline.invoke };
}

/** The pipeline's `unexpected` stage: `<service> request failed` in the log, then the service's internal error. */
export function loggedAsInternal(logger: Logger, service: string, internal: (cause: unknown) => ServiceError): (error: unknown, name: string) => ServiceError {
  return (error, name) => {
    logger.error({ err: error, action: name }, `${service} request failed`);
    return internal(error);
  };
}

/** The context, anonymous and authorize stages of a service whose calls run as their caller: `check` throws its AccessDenied. */
export function callerStages<Context extends { readonly principal: P; readonly accountId: string }, Action extends PipelineAction<Context>, P extends { readonly accountId: string }>(
  context: Context,
  check: (principal: P, action: Action, input: ActionInput) => void,
): Pick<PipelineStages<Context, Action, P>, "context" | "anonymous" | "authorize"> {
  return {
    context,
    anonymous: context.principal,
    authorize: (principal, _name, action, input) => {
      check(principal, action, input);
      return { ...context, principal, accountId: principal.accountId };
    },
  };
}
