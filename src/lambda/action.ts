/**
 * What every Lambda API action is (restJson1 over `/2015-03-31/…` and the other dated prefixes):
 * a route (method + path template) and a function from the routed request to the answer. The
 * router (src/lambda/router.ts) matches the route, parses the JSON body, authorizes the IAM
 * action, calls `run` and writes LambdaErrors in Lambda's error shape (src/lambda/errors.ts).
 */
import type { Principal } from "../auth/principal.js";
import type { ObjectClient } from "../storage/object-client/index.js";
import type { StreamAccess } from "../storage/stream-access.js";
import type { ObjectStore, TableStore } from "../storage/types.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { Random } from "../util/random.js";
import type { CodeStore, Executor, FunctionLogs, FunctionResolver } from "./model.js";
import type { EventSourceManager } from "./event-sources/manager.js";

export interface LambdaRequest {
  method: string;
  /** The route's `{Name}` segments, percent-decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
  /** The body parsed as a JSON object ({} when empty); a body that is not one answers Lambda's error first. */
  json: Record<string, unknown>;
  principal: Principal;
  /** The caller's account (the principal's). */
  accountId: string;
  requestId: string;
}

export interface LambdaResponse {
  statusCode: number;
  headers?: Record<string, string>;
  /** A JSON-able value (sent as application/json), raw bytes, or nothing. */
  body?: unknown;
}

export interface LambdaAction {
  /** The API operation's name as AWS spells it: CreateFunction, Invoke, CreateEventSourceMapping… */
  readonly name: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  /** The path template, e.g. `/2015-03-31/functions/{FunctionName}/invocations`. */
  readonly path: string;
  /** The IAM action checked under `--auth sigv4` (lambda:InvokeFunction…). */
  readonly iamAction: string;
  run(context: LambdaContext, request: LambdaRequest): Promise<LambdaResponse>;
}

/** The service's options (`config.lambda`). */
export interface LambdaOptions {
  /** Whether functions may run here (`--functions`): off answers every run with an error and starts no sandbox. */
  functionsEnabled: boolean;
  /** Where sandboxes get their working directories and unpacked code (under the data directory, or a temporary one). */
  sandboxRoot: string;
}

export interface LambdaContext {
  readonly accountId: string;
  readonly region: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly options: LambdaOptions;
  readonly tables: TableStore;
  readonly objects: ObjectStore;
  readonly objectClient: ObjectClient;
  readonly streamAccess: StreamAccess;
  readonly functions: FunctionResolver;
  readonly code: CodeStore;
  readonly executor: Executor;
  readonly logs: FunctionLogs;
  readonly eventSources: EventSourceManager;
}
