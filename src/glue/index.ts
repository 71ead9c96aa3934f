/** The Glue Data Catalog subset served beside Kinesis (docs/glue.md): the schemas of Firehose's format conversion. */
import type { ProcessSettings, ServiceModule } from "../protocol/service-module.js";
import type { Principal } from "../auth/principal.js";
import { createGlueService, type GlueService, type GlueServiceDeps } from "./service.js";
import { glueDatabasesProvisioning } from "./provision.js";

export { createGlueService, type GlueService, type GlueServiceDeps } from "./service.js";
export type { GlueConfig } from "./context.js";

/** What the Glue subset reads of the app's deps. */
export interface GlueModuleDeps extends Omit<GlueServiceDeps, "config"> {
  config: ProcessSettings;
}

/** The Glue Data Catalog subset as the app lists it (src/server/services.ts). */
export const glueServiceModule: ServiceModule<GlueModuleDeps, Principal, GlueService> = {
  name: "glue",
  create: (deps) => createGlueService({ ...deps, config: { region: deps.config.region, accountId: deps.config.accountId } }),
  provision: glueDatabasesProvisioning,
};
