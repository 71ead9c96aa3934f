/**
 * The CloudWatch API subset (docs/cloudwatch.md): GetMetricData (metric math off),
 * GetMetricStatistics and ListMetrics over the process's metrics (deps.metrics), in the three
 * protocols CloudWatch clients speak — awsJson1_0 (`X-Amz-Target: GraniteServiceVersion20100801.*`),
 * the query protocol (form-encoded `POST /`, XML answers) and Smithy RPC v2 CBOR
 * (`POST /service/GraniteServiceVersion20100801/operation/*`) — all through one StreamingApi
 * (router.ts), claimed by the request's head, since the awsQueryCompatible error header and the
 * XML and CBOR envelopes are CloudWatch's own. Signing name `monitoring`.
 */
import type { ServiceInstance } from "../protocol/service-module.js";
import type { StreamingApi } from "../protocol/streaming-api.js";
import { anonymousAuthenticator, anonymousPrincipal, type Authenticator, type Principal } from "../auth/principal.js";
import { sigV4Authenticator } from "../auth/sigv4/index.js";
import type { CredentialsFile } from "../auth/credentials-file.js";
import type { MetricsReader } from "../core/metrics.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { Random } from "../util/random.js";
import type { CloudWatchContext } from "./action.js";
import { cloudWatchActions } from "./actions/index.js";
import { CloudWatchAuthorizer } from "./authorize.js";
import { createCloudWatchRouter } from "./router.js";

export interface CloudWatchServiceDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  metrics: MetricsReader;
  config: {
    accountId: string;
    region: string;
    auth?: { mode: "none" } | { mode: "sigv4"; credentials: Pick<CredentialsFile, "lookup"> };
  };
}

export interface CloudWatchService extends ServiceInstance<Principal> {
  readonly http: StreamingApi;
}

export function createCloudWatchService(deps: CloudWatchServiceDeps): CloudWatchService {
  const { accountId, region } = deps.config;
  const base: CloudWatchContext = {
    metrics: deps.metrics,
    clock: deps.clock,
    region,
    accountId,
    principal: anonymousPrincipal(accountId),
    tokenKey: deps.random.bytes(32),
  };
  const http = createCloudWatchRouter({
    actions: cloudWatchActions,
    authenticator: authenticatorOf(deps),
    authorizer: new CloudWatchAuthorizer(),
    // The anonymous caller shares one context; anyone else gets a copy naming them and their account.
    context: (principal) => (principal === base.principal ? base : { ...base, principal, accountId: principal.accountId }),
    logger: deps.logger,
    random: deps.random,
  });
  return { http, start: async () => {}, stop: async () => {} };
}

function authenticatorOf(deps: CloudWatchServiceDeps): Authenticator {
  const auth = deps.config.auth;
  if (auth === undefined || auth.mode === "none") return anonymousAuthenticator(deps.config.accountId);
  return sigV4Authenticator({ region: deps.config.region, credentials: auth.credentials, clock: deps.clock });
}
