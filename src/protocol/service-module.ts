/**
 * One service of the server (docs/architecture.md, "How to add a service"): a folder exporting a
 * `ServiceModule`, listed once in src/server/services.ts. The app builds every listed module's
 * instance from its deps (again after each reset), starts them in list order, stops them in
 * reverse, serves their admin routes and adds their health to /health. It never names a service.
 *
 * `Deps` is what the module reads of the app's deps (clock, random, logger, storage, and its own
 * section of the app config beside the process-wide account and region): the app hands every
 * module the same object, so a module declares the part it needs and TypeScript checks the app has it.
 */
import type { AwsService, RestApi } from "./aws-service.js";
import type { ResponseToSend } from "./respond.js";
import type { ServiceProvisioning } from "./provisioning.js";
import type { StreamingApi } from "./streaming-api.js";

/** The settings of the whole process that every service reads (AppConfig): whose and where the resources are. */
export interface ProcessSettings {
  /** The account of callers under `--auth none`, and of the server's own work. */
  accountId: string;
  /** The region ARNs name and SigV4 credential scopes must name. */
  region: string;
}

export interface ServiceModule<Deps = never, P = unknown, Instance extends ServiceInstance<P> = ServiceInstance<P>> {
  /** Short and stable: the instance's key in /health and in `RunningApp.service(name)`. */
  readonly name: string;
  create(deps: Deps): Instance;
  /** Paths of its own on the server's port (`/_tributary/faults`); `current` is the instance serving now. */
  adminRoutes?(current: () => Instance): AdminRoute[];
  /**
   * Its section of the init document (`--init`: "streams", "tables"), applied through the instance
   * before requests arrive, at start and after each reset (protocol/provisioning.ts).
   */
  provision?: ServiceProvisioning<Deps, Instance>;
}

/** A service built on one storage engine: how its requests are recognised and its lifecycle. */
export interface ServiceInstance<P = unknown> {
  /** JSON/CBOR RPC, recognised by X-Amz-Target prefix. */
  readonly rpc?: AwsService<P>;
  /** Further RPC APIs over the same resources, each with its own X-Amz-Target prefix (Analytics' v2 API beside v1). */
  readonly extraRpcs?: readonly AwsService<P>[];
  /** REST, recognised by path prefixes. */
  readonly rest?: RestApi<P>;
  /** Streamed REST (S3), recognised by the API itself (streaming-api.ts); asked before the RPC pipeline reads a body. */
  readonly http?: StreamingApi;
  /** Opens what it needs (timers, keys) before the server listens; a rejection stops the start. */
  start(): Promise<void>;
  /** After the init document was applied (at start and after each reset), before requests arrive. */
  ready?(): void;
  /** Ends its timers and calls waiting on it; storage is closed by the app afterwards. */
  stop(): Promise<void>;
  /** Its part of `GET /health`, under its name; nothing when absent or undefined. */
  health?(): Record<string, unknown> | undefined;
}

export type AdminBodyOutcome = { ok: true; body: Buffer } | { ok: false; reason: "too-large" | "aborted" | "stalled" };

/** An admin request: the server reads the body only when the route asks, within the route's bound. */
export interface AdminRequest {
  method: string;
  /** The Content-Length the client declared, when it is a number. */
  declaredLength: number | undefined;
  /** Reads the body keeping at most `bytesMax`; a body declared past `discardBytesMax` is refused unread. */
  readBody(bytesMax: number, discardBytesMax: number): Promise<AdminBodyOutcome>;
  /** The query string's parameters (`/_tributary/lambda/logs?function=…`). */
  query: URLSearchParams;
}

/** One path with its own methods; any other method on it falls through to the AWS pipeline. */
export interface AdminRoute {
  path: string;
  methods: readonly string[];
  /**
   * The route has no authentication of its own: served only under `--auth none` (under
   * `--auth sigv4` the path falls through to the AWS pipeline like any other).
   */
  unauthenticated?: boolean;
  respond(request: AdminRequest): Promise<ResponseToSend>;
}
