/**
 * The S3-compatible object store (docs/s3.md): S3's REST API on the server's port, recognised by
 * what the request is (src/s3/router.ts `claimsS3`), objects in the storage engine's ObjectStore.
 */
import type { Principal } from "../auth/principal.js";
import type { CredentialsFile } from "../auth/credentials-file.js";
import type { ProcessSettings, ServiceInstance, ServiceModule } from "../protocol/service-module.js";
import type { StreamingApi } from "../protocol/streaming-api.js";
import type { StorageEngine } from "../storage/types.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { Random } from "../util/random.js";
import type { S3Context, S3Options } from "./action.js";
import { s3Actions } from "./actions/index.js";
import { authenticateS3, type S3AuthMode } from "./auth/index.js";
import { stopHashWorkers } from "./body/hash-pool.js";
import { createS3Router } from "./router.js";
import { bucketsProvisioning } from "./provision.js";
import { withReadAfterWrite } from "./read-after-write.js";

export type { S3Options } from "./action.js";
export { claimsS3 } from "./router.js";

/** S3's limits: 5 GiB for a single PUT and for a part, 5 MiB for every part but the last (User Guide, "Multipart upload limits"). */
export const s3OptionsDefault: Required<S3Options> = {
  objectBytesMax: 5 * 1024 * 1024 * 1024,
  partBytesMax: 5 * 1024 * 1024 * 1024,
  partBytesMin: 5 * 1024 * 1024,
};

/** What the S3 service reads of the app's deps (ServiceDeps). */
export interface S3ModuleDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  storage: Pick<StorageEngine, "objects">;
  config: ProcessSettings & {
    auth?: { mode: "none" } | { mode: "sigv4"; credentials: Pick<CredentialsFile, "lookup"> };
    s3?: S3Options;
  };
}

export interface S3Instance extends ServiceInstance<Principal> {
  readonly http: StreamingApi;
  readonly context: S3Context;
}

export const s3ServiceModule: ServiceModule<S3ModuleDeps, Principal, S3Instance> = {
  name: "s3",
  create: (deps) => createS3Service(deps),
  provision: bucketsProvisioning,
};

export function createS3Service(deps: S3ModuleDeps): S3Instance {
  const { accountId, region } = deps.config;
  const context: S3Context = {
    store: deps.storage.objects,
    clock: deps.clock,
    random: deps.random,
    logger: deps.logger,
    region,
    options: { ...s3OptionsDefault, ...deps.config.s3 },
  };
  const configured = deps.config.auth;
  const auth: S3AuthMode = configured?.mode === "sigv4" ? { mode: "sigv4", credentials: configured.credentials } : { mode: "none", accountId };
  const http = createS3Router({
    context,
    // Strong consistency across nodes (read-after-write.ts).
    actions: withReadAfterWrite(s3Actions, deps.storage.objects.sync?.bind(deps.storage.objects)),
    authenticate: (head) => authenticateS3(head, { region, auth, clock: deps.clock }),
  });
  return {
    http,
    context,
    start: async () => {},
    stop: () => stopHashWorkers(),
  };
}
