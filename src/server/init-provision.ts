/**
 * Applies a provisioning document (init-file.ts) before the server listens: each service that
 * declares a section (`ServiceModule.provision`, protocol/provisioning.ts) applies its entries
 * through its own instance, in the list of services' order — the streams service's "streams"
 * (src/streams/provision.ts), then DynamoDB's "tables" (src/dynamodb/provision.ts). Each entry is a
 * request run through the service's `invoke` as the configured account; a bad entry stops the start
 * with AWS's error for that request, named by its place in the file. Idempotent, so a restart with
 * the same file neither fails nor duplicates.
 */
import type { ServiceInstance } from "../protocol/service-module.js";
import type { ProvisionContext } from "../protocol/provisioning.js";
import type { Principal } from "../auth/principal.js";
import type { InitDocument } from "./init-file.js";
import type { AppServiceModule } from "./services.js";
import type { ServiceDeps } from "./app.js";

/** Beyond the services' configured delays, how long provisioning waits before it calls a resource stuck. */
const initWaitMarginMs = 30_000;

/**
 * Runs every section the running services declare; answers the counts each reported, in the
 * services' order (`streamsCreated`, …, `tablesExisting`). A section with entries that no running
 * service declares is a bug of the caller (the document's frame check knows the built-in list).
 */
export async function provision(
  document: InitDocument,
  modules: readonly AppServiceModule[],
  instances: ReadonlyMap<string, ServiceInstance<Principal>>,
  deps: ServiceDeps,
): Promise<Record<string, number>> {
  const declared = new Set(modules.flatMap((module) => (module.provision === undefined ? [] : [module.provision.section])));
  for (const [section, entries] of Object.entries(document)) {
    if (entries.length > 0 && !declared.has(section)) throw new Error(`the init document has "${section}", which no service this server runs provisions`);
  }
  const context: ProvisionContext = {
    region: deps.config.region,
    accountId: deps.config.accountId,
    logger: deps.logger,
    // Room for every service's slowest settling (a stream still DELETING, then CREATING, then its consumers CREATING), on a busy machine.
    waitMsMax: modules.reduce((sum, module) => sum + (module.provision?.settleMs(deps) ?? 0), 0) + initWaitMarginMs,
  };
  const summary: Record<string, number> = {};
  for (const module of modules) {
    if (module.provision === undefined) continue;
    Object.assign(summary, await module.provision.apply(document[module.provision.section] ?? [], instances.get(module.name)!, context));
  }
  return summary;
}
