/**
 * How a service runs a Lambda function from inside the process — Firehose's transformation
 * processors now, others later — without HTTP to ourselves. The Lambda service implements it
 * (`functionInvoker` on its instance); the app hands it to every service as
 * `ServiceDeps.functionInvoker` (src/server/app.ts), so services never import each other.
 * Like StreamAccess, it lives beside the storage interfaces as one of the process's internal ports.
 */

export type FunctionInvokeOutcome =
  | {
      readonly ok: true;
      /** The function's answer, or Lambda's error document when `functionError` is set. */
      readonly payload: Buffer;
      /** "Unhandled" when the function threw, timed out or its runtime died. */
      readonly functionError?: string;
      readonly executedVersion: string;
    }
  | {
      readonly ok: false;
      /** Lambda's error type: ResourceNotFoundException, TooManyRequestsException, ResourceConflictException (Pending), ServiceException… */
      readonly errorCode: string;
      readonly errorMessage: string;
      /** Worth trying again later (throttled, pending, functions busy). */
      readonly retriable: boolean;
    };

export interface FunctionInvoker {
  /**
   * Invokes synchronously (RequestResponse) as `accountId` would: `functionArn` may be a name, a
   * partial or full ARN, qualified or not (`my-fn:prod`).
   */
  invoke(accountId: string, functionArn: string, payload: Buffer): Promise<FunctionInvokeOutcome>;
}
