/** The CloudWatch API subset served beside Kinesis (docs/cloudwatch.md): the process's metrics, read as CloudWatch's. */
import type { ServiceModule } from "../protocol/service-module.js";
import type { Principal } from "../auth/principal.js";
import { createCloudWatchService, type CloudWatchService, type CloudWatchServiceDeps } from "./service.js";

export { createCloudWatchService, type CloudWatchService, type CloudWatchServiceDeps } from "./service.js";

/** The CloudWatch subset as the app lists it (src/server/services.ts). */
export const cloudWatchServiceModule: ServiceModule<CloudWatchServiceDeps, Principal, CloudWatchService> = {
  name: "cloudwatch",
  create: (deps) => createCloudWatchService(deps),
};
