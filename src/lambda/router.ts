/**
 * The Lambda API's router (a RestApi, src/protocol/aws-service.ts): matches the method and path
 * against each action's template (`/2015-03-31/functions/{FunctionName}/invocations`; segments
 * percent-decoded, a trailing slash ignored, a template's `?find=LayerVersion` required in the
 * query), parses a JSON body (Invoke's payload stays raw), authorizes the action's IAM action
 * under `--auth sigv4`, runs it, and writes the answer or Lambda's error (respond.ts).
 */
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import { IamAuthorizer } from "../auth/iam-authorizer.js";
import type { RestApi } from "../protocol/aws-service.js";
import type { ReceivedRequest, ResponseToSend } from "../protocol/respond.js";
import type { Logger } from "../util/logger.js";
import type { LambdaAction, LambdaContext, LambdaRequest } from "./action.js";
import { LambdaError, lambdaErrors } from "./errors.js";
import { errorResponse, successResponse } from "./respond.js";

/** Actions whose body is the function's payload, not a request document. */
const rawBodyActions: ReadonlySet<string> = new Set(["Invoke", "InvokeAsync"]);

interface Route {
  readonly action: LambdaAction;
  readonly method: string;
  /** Literal segments, or `{Name}` captures. */
  readonly segments: readonly string[];
  /** Query parameters the route requires (GetLayerVersionByArn's `find=LayerVersion`). */
  readonly query: readonly [string, string][];
}

export interface LambdaRouterDeps {
  actions: readonly LambdaAction[];
  /** The context serving now (a reset replaces the service, not the router's callers). */
  context: () => LambdaContext;
  logger: Logger;
  /** A request id for each answer (the Invoke's awsRequestId too). */
  requestId: () => string;
  /** The account of callers when the server has no authenticator. */
  accountId: string;
  /** The largest body taken (CreateFunction's). */
  requestBytesMax: number;
}

function segmentsOf(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

export function routeOf(action: LambdaAction): Route {
  const [path, query = ""] = action.path.split("?");
  return {
    action,
    method: action.method,
    segments: segmentsOf(path!),
    query: [...new URLSearchParams(query)].map(([key, value]) => [key, value] as [string, string]),
  };
}

/** The route matching the request, with its decoded parameters; routes that require a query come first. */
export function matchRoute(routes: readonly Route[], method: string, path: string, query: URLSearchParams): { route: Route; params: Record<string, string> } | "bad-encoding" | undefined {
  const segments = segmentsOf(path);
  for (const route of routes) {
    if (route.method !== method || route.segments.length !== segments.length) continue;
    if (!route.query.every(([key, value]) => query.get(key) === value)) continue;
    const params: Record<string, string> = {};
    let matched = true;
    for (let index = 0; index < segments.length && matched; index++) {
      const template = route.segments[index]!;
      const actual = segments[index]!;
      if (template.startsWith("{") && template.endsWith("}")) {
        let decoded: string;
        try {
          decoded = decodeURIComponent(actual);
        } catch {
          return "bad-encoding";
        }
        if (decoded === "") matched = false;
        params[template.slice(1, -1)] = decoded;
      } else if (template !== actual) {
        matched = false;
      }
    }
    if (matched) return { route, params };
  }
  return undefined;
}

export function createLambdaRouter(deps: LambdaRouterDeps): Pick<RestApi<Principal>, "respond"> & { routes: readonly Route[]; tooLargeAnswer(request: { method: string; path: string }): ResponseToSend } {
  const routes = deps.actions.map(routeOf).sort((a, b) => b.query.length - a.query.length);
  const iam = new IamAuthorizer();

  async function run(request: ReceivedRequest, principal: Principal, requestId: string): Promise<ResponseToSend> {
    const query = new URLSearchParams(request.query ?? "");
    const path = request.path.split("?")[0]!;
    const match = matchRoute(routes, request.method, path, query);
    if (match === "bad-encoding") throw lambdaErrors.invalidParameterValue("The request path is not validly percent-encoded.");
    if (match === undefined) throw lambdaErrors.unknownOperation();
    const { action } = match.route;
    // The access log's line (src/server/access-log.ts): the operation and the function it names.
    if (request.accessNote !== undefined) Object.assign(request.accessNote, { action: action.name, resource: match.params.FunctionName });
    if (request.body.length > deps.requestBytesMax) {
      throw lambdaErrors.requestEntityTooLarge(`Request must be smaller than ${deps.requestBytesMax} bytes for the ${action.name} operation`);
    }
    const json = rawBodyActions.has(action.name) ? {} : parseBody(request.body);
    const context = deps.context();
    // CreateFunction names its function in the body: that function's ARN is the resource authorized.
    const bodyName = action.name === "CreateFunction" && typeof json.FunctionName === "string" ? json.FunctionName : undefined;
    authorize(iam, principal, action, bodyName === undefined ? match.params : { ...match.params, FunctionName: bodyName }, context.region);
    const lambdaRequest: LambdaRequest = {
      method: request.method,
      params: match.params,
      query,
      headers: request.headers,
      body: request.body,
      json,
      principal,
      accountId: principal.accountId,
      requestId,
    };
    return successResponse(await action.run(context, lambdaRequest), requestId);
  }

  return {
    routes,
    // A body past even the server's cap for this API: Lambda's answer, named for the operation the path is.
    tooLargeAnswer(request) {
      const match = matchRoute(routes, request.method, request.path, new URLSearchParams());
      const operation = match !== undefined && match !== "bad-encoding" ? match.route.action.name : "unknown";
      return errorResponse(lambdaErrors.requestEntityTooLarge(`Request must be smaller than ${deps.requestBytesMax} bytes for the ${operation} operation`), deps.requestId());
    },
    async respond(request, principal) {
      const requestId = deps.requestId();
      try {
        return await run(request, principal ?? anonymousPrincipal(deps.accountId), requestId);
      } catch (error) {
        if (error instanceof LambdaError) return errorResponse(error, requestId);
        deps.logger.error({ err: error, path: request.path, requestId }, "unexpected error in the Lambda API");
        return errorResponse(lambdaErrors.service(), requestId);
      }
    },
  };
}

/** A request document: a JSON object, {} when empty; anything else answers InvalidRequestContentException. */
function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw lambdaErrors.invalidRequestContent(`Could not parse request body into json: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw lambdaErrors.invalidRequestContent("Could not parse request body into json: the request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/**
 * Under `--auth sigv4`: the caller's identity policies must allow the action's IAM action on the
 * function (or layer) its path names, `*` for account-wide actions. Lambda's AccessDeniedException
 * words it as IAM does.
 */
function authorize(iam: IamAuthorizer, principal: Principal, action: LambdaAction, params: Readonly<Record<string, string>>, region: string): void {
  if (principal === anonymousPrincipal(principal.accountId)) return;
  const resource = resourceOf(params, principal.accountId, region);
  const evaluation = iam.decide(principal, action.iamAction, resource);
  if (evaluation.decision === "allow") return;
  const why =
    evaluation.decision === "explicit-deny"
      ? `with an explicit deny in an identity-based policy`
      : `because no identity-based policy allows the ${action.iamAction} action`;
  throw lambdaErrors.accessDenied(`User: ${principal.arn} is not authorized to perform: ${action.iamAction} on resource: ${resource} ${why}`);
}

function resourceOf(params: Readonly<Record<string, string>>, accountId: string, region: string): string {
  const functionName = params.FunctionName;
  if (functionName !== undefined) {
    if (functionName.startsWith("arn:")) return functionName;
    const parts = functionName.split(":");
    if (parts[1] === "function") return `arn:aws:lambda:${region}:${functionName}`;
    return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
  }
  if (params.LayerName !== undefined) {
    const layer = params.LayerName.startsWith("arn:") ? params.LayerName : `arn:aws:lambda:${region}:${accountId}:layer:${params.LayerName}`;
    return params.VersionNumber === undefined ? layer : `${layer}:${params.VersionNumber}`;
  }
  if (params.Resource !== undefined) return params.Resource;
  if (params.ARN !== undefined) return params.ARN;
  return "*";
}
