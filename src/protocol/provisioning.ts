/**
 * Provisioning by service (`--init`, docs/testing.md): each service module that creates resources
 * before the server listens declares its section of the init document (`ServiceModule.provision`:
 * the streams service's "streams", DynamoDB's "tables"). The app runs the sections in the list of
 * services' order; the document's frame check (server/init-file.ts) knows the sections from the
 * modules, so a later service adds its section by declaring it.
 *
 * Every entry is a request run through the service's own `invoke` — the shape check and action a
 * wire request goes through — as the configured account, so a bad entry stops the start with
 * AWS's error for that request, named by its place in the file (`streams[1] (CreateStream):
 * ValidationException: …`). `ProvisionCalls` is what a section's provisioner shares: calls retried
 * while a call rate refuses them, bounded waits, and errors named by entry.
 */
import type { AwsService } from "./aws-service.js";
import { ServiceError } from "./service-error.js";
import type { Logger } from "../util/logger.js";
import { systemClock } from "../util/clock.js";

/** A provisioning file or entry that cannot be applied: the start stops with this message. */
export class InitError extends Error {
  override readonly name = "InitError";
}

/** One entry of a section: a JSON object, the request (or requests) it stands for. */
export type ProvisionEntry = Record<string, unknown>;

/** What the app hands a section's provisioner. */
export interface ProvisionContext {
  region: string;
  accountId: string;
  logger: Logger;
  /** Longest wait for one resource to settle (ACTIVE, or a DELETING one gone), or for a call rate to admit a call. */
  waitMsMax: number;
  /** Waits `ms` of real time; injected so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

/** A service's section of the init document. */
export interface ServiceProvisioning<Deps, Instance> {
  /** The document's key: "streams". */
  readonly section: string;
  /** What each entry is, for the frame check's message: "CreateStream request". */
  readonly entryKind: string;
  /**
   * How long the service's resources take at most to settle, from its configured delays: the
   * provisioners' waits allow the sum over the services, plus a margin.
   */
  settleMs(deps: Deps): number;
  /**
   * Creates what the entries name through `instance`, idempotently (a restart with the same file
   * neither fails nor duplicates), and waits until it is usable; answers counts for the log line.
   * Throws InitError naming the entry.
   */
  apply(entries: readonly ProvisionEntry[], instance: Instance, context: ProvisionContext): Promise<Record<string, number>>;
}

/** How often a waiting provisioner asks again; status transitions are applied on read, so this is the only latency added. */
export const provisionPollMs = 25;

/** Real time even when the services run on a ManualClock: a clock that does not move makes the wait give up (see waitStep). */
const realSleep = (ms: number) => systemClock.sleep(ms);

type Output = Record<string, unknown> | undefined;

/**
 * The calls and waits a provisioner makes. The waits are real time (the state changes when the
 * injected clock passes its due time); a run with a clock that does not move gives up after
 * `waitMsMax` with an error saying what it waited for.
 */
export class ProvisionCalls {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(readonly context: ProvisionContext) {
    this.sleep = context.sleep ?? realSleep;
  }

  /** One request through the service, retried while a call rate refuses it (`--limits aws`: five CreateStream calls a second). */
  async call(service: AwsService, action: string, request: unknown, where: string): Promise<Output> {
    for (let waitedMs = 0; ; waitedMs += provisionPollMs) {
      try {
        return (await service.invoke(action, request, "json")) as Output;
      } catch (error) {
        if (!(error instanceof ServiceError && error.type === "LimitExceededException" && /^Rate exceeded/.test(error.wireMessage ?? ""))) throw error;
      }
      await this.waitStep(waitedMs, where, `the ${action} call rate to admit a call`);
    }
  }

  /**
   * Runs `action` to create a resource unless it exists (ResourceInUseException): `created` when
   * this call made it, else the resource as `find` sees it. One still being deleted (`statusOf`
   * answers DELETING), or gone between the two calls, is waited out and created again.
   */
  async createUnlessExists<Found>(
    create: { service: AwsService; action: string; request: unknown },
    where: string,
    deleting: string,
    find: () => Promise<Found | undefined>,
    statusOf: (found: Found) => unknown,
  ): Promise<{ created: true } | { created: false; found: Found }> {
    for (let waitedMs = 0; ; waitedMs += provisionPollMs) {
      try {
        await this.call(create.service, create.action, create.request, where);
        return { created: true };
      } catch (error) {
        if (!isErrorType(error, "ResourceInUseException")) throw this.named(error, create.action, where);
      }
      const found = await find();
      if (found !== undefined && statusOf(found) !== "DELETING") return { created: false, found };
      await this.waitStep(waitedMs, where, deleting);
    }
  }

  /** A Describe call's output, or undefined when the resource does not exist (ResourceNotFoundException). */
  async describe(service: AwsService, action: string, request: unknown, where: string): Promise<Output | undefined> {
    try {
      return await this.call(service, action, request, where);
    } catch (error) {
      if (isErrorType(error, "ResourceNotFoundException")) return undefined;
      throw this.named(error, action, where);
    }
  }

  /** Waits until `status` answers ACTIVE (undefined: the resource is gone). */
  async untilActive(resource: string, where: string, status: () => Promise<unknown>): Promise<void> {
    for (let waitedMs = 0; ; waitedMs += provisionPollMs) {
      const current = await status();
      if (current === "ACTIVE") return;
      await this.waitStep(waitedMs, where, `${resource} to become ACTIVE (it is ${String(current ?? "gone")})`);
    }
  }

  async waitStep(waitedMs: number, where: string, what: string): Promise<void> {
    if (waitedMs >= this.context.waitMsMax) throw new InitError(`${where}: gave up after ${this.context.waitMsMax} ms waiting for ${what}`);
    await this.sleep(provisionPollMs);
  }

  /** The error that stops the start: AWS's type and message for the request, with the entry it came from. */
  named(error: unknown, action: string, where: string): Error {
    if (error instanceof InitError) return error;
    if (!(error instanceof ServiceError)) return error instanceof Error ? error : new Error(String(error));
    const type = error.type.slice(error.type.lastIndexOf("#") + 1);
    return new InitError(`${where} (${action}): ${type}${error.wireMessage === undefined ? "" : `: ${error.wireMessage}`}`);
  }
}

/** Whether `error` is the service's error of `type` (with or without a namespace prefix). */
export function isErrorType(error: unknown, type: string): boolean {
  return error instanceof ServiceError && error.type.slice(error.type.lastIndexOf("#") + 1) === type;
}
