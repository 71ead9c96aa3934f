/**
 * Kinesis Data Analytics' section of the init document (`--init`, docs/testing.md):
 * "applications", each entry a CreateApplication request of the v1 API (SQL applications) with an
 * optional "StartApplication" member: a StartApplication request without its ApplicationName
 * (`{"InputConfigurations": [{"Id": "1.1", "InputStartingPositionConfiguration": {…}}]}`; the
 * service numbers a new application's inputs 1.1, 1.2, …). Without InputConfigurations every input
 * starts at NOW, StartApplication's own default here. Analytics is the last service that
 * provisions, so an application's inputs and outputs may name any stream, delivery stream or
 * function of the file.
 *
 * Idempotent: an application that exists is left as it is (a warning says when its code differs
 * from the entry's: UpdateApplication is yours to call); one still DELETING is waited out and
 * created again. An entry with StartApplication starts its application when it is READY (a new
 * one, one stopped, or every one after a reset) and leaves a RUNNING one running, as a restart of
 * an embedded data directory finds it. Applications are waited for until READY, or RUNNING when
 * started, so the server reports ready with them processing.
 */
import type { AwsService } from "../protocol/aws-service.js";
import { InitError, ProvisionCalls, provisionPollMs, type ProvisionContext, type ProvisionEntry, type ServiceProvisioning } from "../protocol/provisioning.js";
import { analyticsOptionsDefault, type AnalyticsOptions } from "./context.js";

/** The "applications" section, for the service's module (service.ts). */
export const applicationsProvisioning: ServiceProvisioning<{ config: { analytics?: Partial<AnalyticsOptions> } }, { rpc: AwsService }> = {
  section: "applications",
  entryKind: "CreateApplication request",
  // Room for one still DELETING, then STARTING.
  settleMs: ({ config }) => (config.analytics?.deleteDelayMs ?? analyticsOptionsDefault.deleteDelayMs) + (config.analytics?.startDelayMs ?? analyticsOptionsDefault.startDelayMs),
  apply: (entries, instance, context) => provisionApplications(entries, instance.rpc, context),
};

async function provisionApplications(entries: readonly ProvisionEntry[], service: AwsService, context: ProvisionContext): Promise<Record<string, number>> {
  const run = new ApplicationsProvisioner(service, context);
  const summary = { applicationsCreated: 0, applicationsExisting: 0, applicationsStarted: 0 };
  for (const [index, entry] of entries.entries()) {
    if (await run.ensureApplication(entry, `applications[${index}]`)) summary.applicationsCreated++;
    else summary.applicationsExisting++;
  }
  for (const [index, entry] of entries.entries()) {
    const where = `applications[${index}]`;
    const name = String(entry.ApplicationName);
    const status = await run.untilSettled(name, where);
    if (entry.StartApplication === undefined) continue;
    if (status === "READY") {
      await run.start(entry, where);
      summary.applicationsStarted++;
    }
    await run.untilStatus(name, "RUNNING", where);
  }
  return summary;
}

/** Statuses an application passes through on its own, to be waited out. */
const passingStatuses: ReadonlySet<unknown> = new Set(["STARTING", "STOPPING", "UPDATING", "AUTOSCALING"]);

class ApplicationsProvisioner extends ProvisionCalls {
  constructor(
    private readonly service: AwsService,
    context: ProvisionContext,
  ) {
    super(context);
  }

  /** Creates the application; false if it already existed. */
  async ensureApplication(entry: ProvisionEntry, where: string): Promise<boolean> {
    const { StartApplication: start, ...request } = entry;
    if (start !== undefined && (start === null || typeof start !== "object" || Array.isArray(start))) {
      throw new InitError(`${where}.StartApplication must be an object: a StartApplication request without ApplicationName`);
    }
    const name = String(entry.ApplicationName);
    const create = { service: this.service, action: "CreateApplication", request };
    const outcome = await this.createUnlessExists(create, where, `application ${name} to finish deleting`, () => this.describeApplication(name, where), (found) => found.ApplicationStatus);
    if (outcome.created) return true;
    if ((outcome.found.ApplicationCode ?? "") !== (entry.ApplicationCode ?? "")) {
      this.context.logger.warn({ application: name, entry: where }, "init: the application exists with other code; left as it is (UpdateApplication changes it)");
    }
    return false;
  }

  /** StartApplication with the entry's input configurations (every input at NOW when it gives none). */
  async start(entry: ProvisionEntry, where: string): Promise<void> {
    const name = String(entry.ApplicationName);
    const given = entry.StartApplication as Record<string, unknown>;
    let request: Record<string, unknown> = { ...given, ApplicationName: name };
    if (given.InputConfigurations === undefined) {
      const detail = await this.describeApplication(name, where);
      const inputs = (detail?.InputDescriptions ?? []) as Array<{ InputId: string }>;
      request = { ...request, InputConfigurations: inputs.map((input) => ({ Id: input.InputId, InputStartingPositionConfiguration: { InputStartingPosition: "NOW" } })) };
    }
    await this.call(this.service, "StartApplication", request, `${where}.StartApplication`).catch((error: unknown) => {
      throw this.named(error, "StartApplication", `${where}.StartApplication`);
    });
  }

  /** Waits until the application is neither on its way somewhere nor DELETING; its status then. */
  async untilSettled(name: string, where: string): Promise<unknown> {
    for (let waitedMs = 0; ; waitedMs += provisionPollMs) {
      const status = (await this.describeApplication(name, where))?.ApplicationStatus;
      if (status === undefined) throw new InitError(`${where}: application ${name} was deleted while the server started`);
      if (!passingStatuses.has(status)) return status;
      await this.waitStep(waitedMs, where, `application ${name} to settle (it is ${String(status)})`);
    }
  }

  async untilStatus(name: string, wanted: string, where: string): Promise<void> {
    for (let waitedMs = 0; ; waitedMs += provisionPollMs) {
      const status = (await this.describeApplication(name, where))?.ApplicationStatus;
      if (status === wanted) return;
      await this.waitStep(waitedMs, where, `application ${name} to become ${wanted} (it is ${String(status ?? "gone")})`);
    }
  }

  private async describeApplication(name: string, where: string): Promise<Record<string, unknown> | undefined> {
    return (await this.describe(this.service, "DescribeApplication", { ApplicationName: name }, where))?.ApplicationDetail as Record<string, unknown> | undefined;
  }
}
