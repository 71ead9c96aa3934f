/**
 * The Lambda service's shared types (docs/lambda.md): what a function is once resolved for a run,
 * where its code lives, and the ports between the API (src/lambda/actions), the sandboxes
 * (src/lambda/runtime) and the stream triggers (src/lambda/event-sources).
 */

/** A stored deployment package or layer archive: a zip kept in the object store's internal bucket. */
export interface CodeRef {
  /** The object key in the internal code bucket (code-store.ts). */
  readonly objectKey: string;
  /** CodeSha256: base64 of the zip's SHA-256, as Lambda reports it. */
  readonly sha256Base64: string;
  readonly sizeBytes: number;
}

/** Reads stored zips (deployment packages and layer versions). */
export interface CodeStore {
  readZip(code: CodeRef): Promise<Buffer>;
}

/** A layer version attached to a function, in the order the function lists them. */
export interface ResolvedLayer {
  /** The layer version ARN (arn:aws:lambda:region:account:layer:name:version). */
  readonly arn: string;
  readonly code: CodeRef;
}

/**
 * Everything a run of one version of one function needs. Sandboxes are keyed by
 * `qualifiedArn` + `revisionId`: a new configuration or code gets fresh sandboxes.
 */
export interface ResolvedFunction {
  readonly accountId: string;
  readonly region: string;
  readonly functionName: string;
  /** arn:aws:lambda:region:account:function:name */
  readonly functionArn: string;
  /** The ARN with the version (`:$LATEST`, `:3`); an alias resolves to the version it points at. */
  readonly versionArn: string;
  /** The ARN the caller invoked (with the alias, when it named one): context.invokedFunctionArn. */
  readonly invokedArn: string;
  /** "$LATEST" or "1", "2"… */
  readonly version: string;
  readonly revisionId: string;
  readonly runtime: string;
  readonly handler: string;
  readonly code: CodeRef;
  readonly layers: readonly ResolvedLayer[];
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memorySizeMB: number;
  readonly ephemeralStorageMB: number;
  readonly role: string;
  readonly architecture: "x86_64" | "arm64";
  /** ReservedConcurrentExecutions (PutFunctionConcurrency), when set: at most that many at once. */
  readonly reservedConcurrency?: number;
  /** `/aws/lambda/<name>` (or LoggingConfig's), for context.logGroupName. */
  readonly logGroupName: string;
}

/** Finds functions for the trigger engine and Invoke: by name, partial or full ARN, with a qualifier. */
export interface FunctionResolver {
  /** The function the name or ARN names (with `qualifier` when the name carries none); undefined if none. */
  resolve(accountId: string, nameOrArn: string, qualifier?: string): Promise<ResolvedFunction | undefined>;
}

export interface InvokeInput {
  /** The event as the caller sent it (JSON bytes; Lambda does not re-encode it). */
  readonly payload: Buffer;
  readonly requestId: string;
  /** "Tail": the last 4 KB of the run's log lines come back base64 (X-Amz-Log-Result). */
  readonly logType?: "None" | "Tail";
  /** X-Amz-Client-Context (base64 JSON), handed to the runtime as Lambda-Runtime-Client-Context. */
  readonly clientContext?: string;
}

export type InvokeResult =
  | {
      readonly kind: "completed";
      /** The function's result, or Lambda's error document for a failed run (functionError set). */
      readonly payload: Buffer;
      /** "Unhandled": the handler threw, timed out or its runtime died (X-Amz-Function-Error). */
      readonly functionError?: "Unhandled" | "Handled";
      /** base64 of the last 4 KB of the run's log (logType "Tail"). */
      readonly logResultBase64?: string;
      readonly executedVersion: string;
    }
  /** At its concurrency bound: TooManyRequestsException (429) with this Reason. */
  | { readonly kind: "throttled"; readonly reason: "ReservedFunctionConcurrentInvocationLimitExceeded" | "ConcurrentInvocationLimitExceeded" };

/**
 * Runs functions in sandboxes (child processes speaking the Runtime API), warm ones reused.
 * Implemented by src/lambda/runtime (createExecutor).
 */
export interface Executor {
  invoke(fn: ResolvedFunction, input: InvokeInput): Promise<InvokeResult>;
  /** Ends the sandboxes of a function (every version when `version` is absent): its code or configuration changed, or it was deleted. */
  retire(functionArn: string, version?: string): Promise<void>;
  /** Sandboxes of a function running or warm now (for GetFunction's diagnostics and tests). */
  sandboxCount(functionArn: string): number;
  stop(): Promise<void>;
}

/** One log line of a function, as CloudWatch Logs would hold it. */
export interface FunctionLogEvent {
  readonly timestampMs: number;
  readonly message: string;
}

/** The function logs (START/END/REPORT and what the handler printed), kept through storage. */
export interface FunctionLogs {
  append(accountId: string, functionName: string, events: readonly FunctionLogEvent[]): Promise<void>;
  /** Oldest first, from `startMs` (inclusive), at most `limit` events. */
  read(accountId: string, functionName: string, options: { startMs?: number; limit: number }): Promise<FunctionLogEvent[]>;
  /** Removes a deleted function's logs. */
  drop(accountId: string, functionName: string): Promise<void>;
}
