/**
 * What the actions share: ARNs, finding an application and its status as of now, the checks of
 * CurrentApplicationVersionId and status, and `changeApplication`, the one way a configuration
 * change is written (checked, versioned, UPDATING while it runs, the runtime told).
 */
import type { AnalyticsContext } from "../context.js";
import type { ApplicationStatus, StoredApplication } from "../model.js";
import { analyticsErrors } from "../errors.js";

export function applicationArn(region: string, accountId: string, name: string): string {
  return `arn:aws:kinesisanalytics:${region}:${accountId}:application/${name}`;
}

/** The account and name of an application ARN of this region, or undefined. */
export function parseApplicationArn(arn: string, region: string): { accountId: string; name: string } | undefined {
  const match = /^arn:aws:kinesisanalytics:([a-z0-9-]+):(\d{12}):application\/([a-zA-Z0-9_.-]{1,128})$/.exec(arn);
  if (match === null || match[1] !== region) return undefined;
  return { accountId: match[2]!, name: match[3]! };
}

/**
 * The application as of `nowMs`: a transitional status whose time has come is replaced by the
 * status it leads to; undefined once a deletion is through.
 */
export function settled(application: StoredApplication, nowMs: number): StoredApplication | undefined {
  if (application.statusDueAtMs === undefined || nowMs < application.statusDueAtMs) return application;
  if (application.statusNext === "GONE") return undefined;
  const { statusDueAtMs: _due, statusNext: _next, ...rest } = application;
  return { ...rest, status: application.statusNext ?? application.status };
}

/** A transitional status until `delayMs` from now, then `next` (at once for a zero delay). */
export function transition(application: StoredApplication, during: ApplicationStatus, next: ApplicationStatus | "GONE", nowMs: number, delayMs: number): StoredApplication {
  return { ...application, status: during, statusDueAtMs: nowMs + delayMs, statusNext: next };
}

/** The application as the caller's API sees it, settled; a finished deletion is removed here. */
export async function findApplication(context: AnalyticsContext, name: string): Promise<StoredApplication | undefined> {
  const stored = await context.store.get(context.accountId, name);
  if (stored === undefined) return undefined;
  const application = settled(stored, context.clock.nowMs());
  if (application === undefined) {
    await context.store.remove(context.accountId, name, stored.incarnationId);
    await context.store.dropCheckpoints(context.accountId, stored.incarnationId);
    return undefined;
  }
  return application;
}

export async function requireApplication(context: AnalyticsContext, name: string, api: "v1" | "v2" = "v1"): Promise<StoredApplication> {
  const application = await findApplication(context, name);
  if (application === undefined) throw analyticsErrors.notFound(name);
  if (api === "v1" && application.api !== "v1") throw analyticsErrors.otherApi(name);
  return application;
}

export function checkVersion(application: StoredApplication, given: number): void {
  if (application.ApplicationVersionId !== given) throw analyticsErrors.versionMismatch(application.ApplicationName, application.ApplicationVersionId, given);
}

/** Configuration changes are allowed while READY or RUNNING, as the service allows them. */
export function checkChangeable(application: StoredApplication): void {
  if (application.status !== "READY" && application.status !== "RUNNING") throw analyticsErrors.inUse(application.ApplicationName, application.status);
}

export interface ChangeOptions {
  api?: "v1" | "v2";
  /** CurrentApplicationVersionId as the caller gave it (v2's ConditionalToken instead leaves it out). */
  versionId?: number;
}

/**
 * Applies `change` to the application's configuration: the version must match and the status allow
 * it; the version id is incremented, and a running application passes through UPDATING. `change`
 * may throw the service's errors (an unknown id, a limit); nothing is stored then.
 */
export async function changeApplication(context: AnalyticsContext, name: string, options: ChangeOptions, change: (application: StoredApplication, nextVersionId: number) => StoredApplication): Promise<StoredApplication> {
  await requireApplication(context, name, options.api ?? "v1");
  const nowMs = context.clock.nowMs();
  const updated = await context.store.update(context.accountId, name, (stored) => {
    const current = settled(stored, nowMs);
    if (current === undefined) throw analyticsErrors.notFound(name);
    if (options.versionId !== undefined) checkVersion(current, options.versionId);
    checkChangeable(current);
    const nextVersionId = current.ApplicationVersionId + 1;
    // A change through the v2 API makes the application one of that API's (v1 calls then refuse it).
    const changed = { ...change(current, nextVersionId), ApplicationVersionId: nextVersionId, lastUpdatedAtMs: nowMs, ...(options.api === "v2" && { api: "v2" as const }) };
    return current.status === "RUNNING" ? transition(changed, "UPDATING", "RUNNING", nowMs, context.config.updateDelayMs) : changed;
  });
  if (updated === undefined) throw analyticsErrors.notFound(name);
  context.runtime.applicationChanged(context.accountId, name);
  return updated;
}

/** `<version>.<n>`: ids as the service gives them (the version that added the item, then its ordinal in that change). */
export function itemId(versionId: number, ordinal: number): string {
  return `${versionId}.${ordinal}`;
}
