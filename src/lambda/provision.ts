/**
 * The Lambda service's section of the init document (`--init`, docs/testing.md): "functions", each
 * entry a CreateFunction request with an optional "EventSourceMappings" list of
 * CreateEventSourceMapping requests (their FunctionName defaults to the entry's). The function's
 * code is CreateFunction's `Code` — `ZipFile` (base64, as on the wire) or `S3Bucket`/`S3Key` (a
 * bucket of the "buckets" section works: S3 provisions first) — or, ours, `Code.ZipFilePath`: a
 * zip file's path, read at each start (relative to the server's working directory), as the AWS
 * CLI's `--zip-file fileb://…` reads one.
 *
 * Every request goes through the Lambda API itself (its router: the same checks and answers as a
 * request on the wire), as the configured account, so a bad entry stops the start with Lambda's
 * error for that request, named by entry (`functions[0] (CreateFunction): InvalidParameterValueException: …`).
 *
 * Idempotent: a function that exists keeps its configuration; when the entry's zip (ZipFile or
 * ZipFilePath) differs from its code (CodeSha256), the code is updated (UpdateFunctionCode), so a
 * restart with a rebuilt zip runs the new code. A mapping of the same function and source that
 * exists is kept (Lambda's "provided mapping already exists" conflict). Functions are waited for
 * until Active and mappings until they leave Creating, so the server reports ready with them usable.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { InitError, ProvisionCalls, type ProvisionContext, type ProvisionEntry, type ServiceProvisioning } from "../protocol/provisioning.js";
import type { RestApi } from "../protocol/aws-service.js";
import { settleMs } from "./function-records.js";

/** The "functions" section, for the service's module (index.ts). */
export const functionsProvisioning: ServiceProvisioning<unknown, { rest: RestApi }> = {
  section: "functions",
  entryKind: "CreateFunction request",
  // A function is Pending for settleMs; a mapping leaves Creating when the manager next acts.
  settleMs: () => settleMs + 5_000,
  apply: (entries, instance, context) => provisionFunctions(entries, instance.rest, context),
};

/** A Lambda API answer: its status, `x-amzn-ErrorType` and JSON document. */
interface Answer {
  statusCode: number;
  errorType: string | undefined;
  document: Record<string, unknown>;
}

async function provisionFunctions(entries: readonly ProvisionEntry[], api: RestApi, context: ProvisionContext): Promise<Record<string, number>> {
  const run = new FunctionsProvisioner(api, context);
  const summary = { functionsCreated: 0, functionsExisting: 0, functionsCodeUpdated: 0, eventSourceMappingsCreated: 0, eventSourceMappingsExisting: 0 };
  // Every entry's mapping list is checked before anything is created: a malformed one stops the start at once.
  const mappingLists = entries.map((entry, index) => mappingRequests(entry, `functions[${index}]`));
  for (const [index, entry] of entries.entries()) {
    const outcome = await run.ensureFunction(entry, `functions[${index}]`);
    summary[outcome === "created" ? "functionsCreated" : "functionsExisting"]++;
    if (outcome === "code-updated") summary.functionsCodeUpdated++;
  }
  for (const [index, entry] of entries.entries()) await run.untilFunctionActive(String(entry.FunctionName), `functions[${index}]`);
  const mappings: Array<[string, string]> = [];
  for (const [index, requests] of mappingLists.entries()) {
    for (const [mappingIndex, request] of requests.entries()) {
      const where = `functions[${index}].EventSourceMappings[${mappingIndex}]`;
      const uuid = await run.ensureMapping(request, where);
      if (uuid.created) summary.eventSourceMappingsCreated++;
      else summary.eventSourceMappingsExisting++;
      mappings.push([uuid.UUID, where]);
    }
  }
  for (const [uuid, where] of mappings) await run.untilMappingSettled(uuid, where);
  return summary;
}

function mappingRequests(entry: ProvisionEntry, where: string): ProvisionEntry[] {
  const list = entry.EventSourceMappings;
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.some((item) => item === null || typeof item !== "object" || Array.isArray(item))) {
    throw new InitError(`${where}.EventSourceMappings must be a list of CreateEventSourceMapping requests`);
  }
  return (list as ProvisionEntry[]).map((request) => ({ FunctionName: entry.FunctionName, ...request }));
}

class FunctionsProvisioner extends ProvisionCalls {
  constructor(
    private readonly api: RestApi,
    context: ProvisionContext,
  ) {
    super(context);
  }

  /** Creates the function, or brings an existing one's code up to the entry's zip. */
  async ensureFunction(entry: ProvisionEntry, where: string): Promise<"created" | "existing" | "code-updated"> {
    const { EventSourceMappings: _mappings, ...request } = entry;
    const code = await this.codeOf(request.Code, where);
    const body = code === undefined ? request : { ...request, Code: code };
    const created = await this.send("POST", "/2015-03-31/functions", body);
    if (created.statusCode < 300) return "created";
    if (created.errorType !== "ResourceConflictException" || typeof entry.FunctionName !== "string") throw failure(created, "CreateFunction", where);
    const zipFile = code?.ZipFile;
    if (typeof zipFile !== "string") return "existing";
    const name = encodeURIComponent(entry.FunctionName);
    const current = await this.send("GET", `/2015-03-31/functions/${name}/configuration`);
    if (current.statusCode >= 300) throw failure(current, "GetFunctionConfiguration", where);
    if (current.document.CodeSha256 === createHash("sha256").update(Buffer.from(zipFile, "base64")).digest("base64")) return "existing";
    await this.untilFunctionActive(entry.FunctionName, where);
    const updated = await this.send("PUT", `/2015-03-31/functions/${name}/code`, { ZipFile: zipFile });
    if (updated.statusCode >= 300) throw failure(updated, "UpdateFunctionCode", where);
    return "code-updated";
  }

  /** `Code` as CreateFunction takes it: a ZipFilePath read into ZipFile; undefined when the entry's Code is not an object. */
  private async codeOf(code: unknown, where: string): Promise<Record<string, unknown> | undefined> {
    if (code === null || typeof code !== "object" || Array.isArray(code)) return undefined;
    const { ZipFilePath: path, ...rest } = code as Record<string, unknown>;
    if (path === undefined) return rest;
    if (typeof path !== "string") throw new InitError(`${where} (CreateFunction): Code.ZipFilePath must be a zip file's path (a string)`);
    if (rest.ZipFile !== undefined || rest.S3Bucket !== undefined || rest.S3Key !== undefined) {
      throw new InitError(`${where} (CreateFunction): give the code one way: Code.ZipFilePath, Code.ZipFile or Code.S3Bucket/S3Key`);
    }
    const zip = await readFile(path).catch((error: Error) => {
      throw new InitError(`${where} (CreateFunction): cannot read Code.ZipFilePath ${path}: ${error.message}`);
    });
    return { ...rest, ZipFile: zip.toString("base64") };
  }

  untilFunctionActive(name: string, where: string): Promise<void> {
    return this.untilActive(`function ${name}`, where, async () => {
      const answer = await this.send("GET", `/2015-03-31/functions/${encodeURIComponent(name)}/configuration`);
      if (answer.statusCode === 404) return undefined;
      if (answer.statusCode >= 300) throw failure(answer, "GetFunctionConfiguration", where);
      // Lambda's State is "Active"; untilActive waits for the streams' spelling.
      return answer.document.State === "Active" ? "ACTIVE" : answer.document.State;
    });
  }

  /** Creates the mapping unless the function already has one for the same source; its UUID. */
  async ensureMapping(request: ProvisionEntry, where: string): Promise<{ UUID: string; created: boolean }> {
    const created = await this.send("POST", "/2015-03-31/event-source-mappings/", request);
    if (created.statusCode < 300) return { UUID: String(created.document.UUID), created: true };
    const message = messageOf(created);
    const existing = /provided mapping already exists.*UUID (\S+)$/.exec(message);
    if (created.errorType === "ResourceConflictException" && existing !== null) return { UUID: existing[1]!, created: false };
    throw failure(created, "CreateEventSourceMapping", where);
  }

  /** Waits until the mapping's pollers are set up (State Enabled, or Disabled when the entry said `"Enabled": false`). */
  untilMappingSettled(uuid: string, where: string): Promise<void> {
    return this.untilActive(`event source mapping ${uuid}`, where, async () => {
      const answer = await this.send("GET", `/2015-03-31/event-source-mappings/${uuid}`);
      if (answer.statusCode === 404) return undefined;
      if (answer.statusCode >= 300) throw failure(answer, "GetEventSourceMapping", where);
      const state = answer.document.State;
      return state === "Enabled" || state === "Disabled" ? "ACTIVE" : state;
    });
  }

  private async send(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await this.api.respond({ method, path, query: "", headers: { "content-type": "application/json" }, body: body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body)) });
    let document: Record<string, unknown> = {};
    try {
      const parsed: unknown = response.body.length === 0 ? {} : JSON.parse(response.body.toString("utf8"));
      if (parsed !== null && typeof parsed === "object") document = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: the error type header still says what happened.
    }
    return { statusCode: response.statusCode, errorType: response.headers["x-amzn-errortype"], document };
  }
}

function messageOf(answer: Answer): string {
  return String(answer.document.message ?? answer.document.Message ?? "");
}

/** The error that stops the start: Lambda's type and message, with the entry it came from. */
function failure(answer: Answer, action: string, where: string): InitError {
  const message = messageOf(answer);
  return new InitError(`${where} (${action}): ${answer.errorType ?? `HTTP ${answer.statusCode}`}${message === "" ? "" : `: ${message}`}`);
}
