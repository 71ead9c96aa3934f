/**
 * The request pipeline every JSON service plugs into, after respond.ts has decoded the body and
 * authenticated the caller: validate (shape) → authorize → fault injection → rate limits → action.
 * Each stage is the service's: its shape checker, its authorizer (what IAM action and resource an
 * action is, and its error wording), its call rates and its fault rules — the pipeline only fixes
 * their order and the fast paths, so every service gets the same order and the same costs.
 *
 * Fault injection comes before the rate stage, not after: a faulted call takes nothing from the
 * call rates (docs/fault-injection.md), and a fault rule's throttle stands in for the rate's own.
 *
 * Hot path (PutRecords under `--auth none`, no fault rules): one shape check, one identity
 * comparison for the caller, one check for fault rules, and the action — no per-call object, no
 * closure, the shared context passed as it is.
 */
import type { RequestFacts } from "./aws-service.js";
import type { WireFormat } from "./wire-format.js";
import { ServiceError } from "./service-error.js";

export type ActionInput = Record<string, unknown>;

/** What the pipeline runs of an action. Services add their own declarations (shape, IAM action, rate) beside. */
export interface PipelineAction<Context> {
  run(context: Context, input: any): Promise<unknown>;
}

/** Data-plane actions move records (metered by throughput, throttled per shard); control-plane ones manage resources. */
export type ActionPlane = "data" | "control";

export interface FaultStage<Context, Action> {
  /** Whether any rule is installed: without rules a call costs this one check. */
  active(): boolean;
  /** Runs the call with the faults the rules give it; `next` is the rest of the pipeline (rates, then the action). */
  run(context: Context, name: string, action: Action, input: ActionInput, next: (context: Context, input: ActionInput) => Promise<unknown>): Promise<unknown>;
}

export interface RateStage<Context, Action> {
  /** Charges the call to its rate or throws the service's throttling error; may first run argument checks that must come before a charge. */
  admit(name: string, action: Action, input: ActionInput, context: Context): Promise<void> | void;
}

export interface PipelineStages<Context, Action extends PipelineAction<Context>, P> {
  /** The service's actions by API name (the X-Amz-Target suffix). */
  actions: Readonly<Record<string, Action>>;
  /** Types, constraints and the checks that need nothing but the input; throws the service's errors, returns the checked input. */
  validate(action: Action, body: unknown, format: WireFormat): ActionInput;
  /** The context calls of the service's own default caller run in, shared (never copied per call). */
  context: Context;
  /** The caller that needs no authorization (`--auth none`'s anonymous principal), recognised by identity. */
  anonymous: P;
  /** Throws the service's AccessDenied, or answers the context the call runs in as `principal`. */
  authorize(principal: P, name: string, action: Action, input: ActionInput, facts: RequestFacts | undefined): Context;
  /** Absent when the service has no call rates (`--limits off`). */
  rates?: RateStage<Context, Action>;
  /** Absent when the service has no fault injection. */
  faults?: FaultStage<Context, Action>;
  /** How an exception from the action that is not a ServiceError is answered; respond.ts's InternalFailure when absent. */
  unexpected?(error: unknown, name: string): ServiceError;
}

export interface ActionPipeline {
  hasAction(name: string): boolean;
  invoke(name: string, body: unknown, format: WireFormat, principal?: unknown, facts?: RequestFacts): Promise<unknown>;
}

export function createActionPipeline<Context, Action extends PipelineAction<Context>, P>(stages: PipelineStages<Context, Action, P>): ActionPipeline {
  const { actions, rates, faults, unexpected } = stages;
  const runAction = unexpected === undefined ? (context: Context, name: string, action: Action, input: ActionInput) => action.run(context, input) : guarded;
  async function guarded(context: Context, name: string, action: Action, input: ActionInput): Promise<unknown> {
    try {
      return await action.run(context, input);
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      throw unexpected!(error, name);
    }
  }
  const limited =
    rates === undefined
      ? runAction
      : async (context: Context, name: string, action: Action, input: ActionInput): Promise<unknown> => {
          const admitted = rates.admit(name, action, input, context);
          if (admitted !== undefined) await admitted;
          return runAction(context, name, action, input);
        };
  return {
    hasAction: (name) => Object.prototype.hasOwnProperty.call(actions, name),
    invoke(name, body, format, principal, facts) {
      const action = actions[name]!;
      let input: ActionInput;
      let context: Context;
      try {
        input = stages.validate(action, body, format);
        context = principal === undefined || principal === stages.anonymous ? stages.context : stages.authorize(principal as P, name, action, input, facts);
      } catch (error) {
        return Promise.reject(error);
      }
      if (faults !== undefined && faults.active()) return faults.run(context, name, action, input, (next, nextInput) => limited(next, name, action, nextInput));
      return limited(context, name, action, input);
    },
  };
}
