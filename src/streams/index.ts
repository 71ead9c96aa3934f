/**
 * The Kinesis Data Streams service: X-Amz-Target prefix `Kinesis_20131202`.
 */
import { ReadBudget, readBudgetBytesDefault, readBudgetFloorBytes } from "./records/read-budget.js";
import type { AwsService } from "../protocol/aws-service.js";
import type { ProcessSettings, ServiceInstance, ServiceModule } from "../protocol/service-module.js";
import { createActionPipeline } from "../protocol/action-pipeline.js";
import { faultsRoute } from "./faults/faults-route.js";
import { streamsProvisioning } from "./provision.js";
import { checkShape, deepBodyError } from "../protocol/shapes.js";
import { streamsActions } from "./actions/index.js";
import { withCatalogReadThrough } from "./catalog-read-through.js";
import type { StreamsContext } from "./context.js";
import type { StreamsAction } from "./action.js";
import { StreamRegistry } from "./stream-registry.js";
import { AccountSettingsStores } from "./account-settings.js";
import type { StreamsConfig, StreamsOptions } from "./config.js";
import type { StorageEngine } from "../storage/types.js";
import { kinesisOnlyCatalog, streamsCatalog } from "./stream-catalog.js";
import { FaultControl, SharedFaultRules, type FaultConfig } from "./faults/index.js";
import { processLocalEngine } from "../storage/work-leases.js";
import { KeyRing } from "./encryption/index.js";
import { ephemeralMasterKey, type MasterKeySource } from "./encryption/crypto/index.js";
import { createStreamLimits, OnDemandScaler } from "./limits/index.js";
import { Subscriptions } from "./subscriptions/index.js";
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import { KinesisAuthorizer, ResourcePolicyIndex } from "./authorization/authorize.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import type { StreamAccess } from "../storage/stream-access.js";
import { createStreamAccess } from "./stream-access.js";
import { countRefusedSubscription, noMetrics, StreamsMetrics } from "./metrics/index.js";
import type { MetricsRecorder } from "../core/metrics.js";

export type { StreamsConfig, StreamsOptions, LimitsMode } from "./config.js";
export { defaultStreamsConfig } from "./config.js";
export { faultsPath } from "./faults/faults-route.js";
export { parseFaultRules, faultConfigBytesMax, type FaultConfig, type FaultControl, type FaultSnapshot } from "./faults/index.js";

export interface StreamsServiceDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: StreamsConfig;
  storage: StorageEngine;
  /** Fault rules to install at start (`--faults`); none by default. */
  faults?: FaultConfig;
  /** Where the master key for encryption at rest comes from; by default one kept in memory (lost at restart). */
  masterKey?: MasterKeySource;
  /** Where the service records its CloudWatch metrics (streams/metrics); none kept when absent. */
  metrics?: MetricsRecorder;
}

export interface StreamsService extends ServiceInstance<Principal> {
  readonly rpc: AwsService<Principal>;
  readonly context: StreamsContext;
  /** Fault injection rules, replaced at runtime by the admin endpoint. */
  readonly faults: FaultControl;
  /** Scales ON_DEMAND streams (docs/limits.md); undefined with `--limits off`. Tests drive it with `tick()`. */
  readonly onDemandScaler: OnDemandScaler | undefined;
  /** How other services read streams in-process (src/streams/stream-access.ts); the app finds it by this name. */
  readonly streamAccess: StreamAccess;
}

/** What the streams service reads of the app's deps: its config section and fault rules, and the master key. */
export interface StreamsModuleDeps extends Omit<StreamsServiceDeps, "config" | "faults"> {
  config: ProcessSettings & { streams: StreamsOptions; faults?: FaultConfig };
}

/** The Kinesis Data Streams service as the app lists it (src/server/services.ts). */
export const streamsServiceModule: ServiceModule<StreamsModuleDeps, Principal, StreamsService> = {
  name: "kinesis",
  // Fault rules from the start are installed by `ready`, once provisioning has run unfaulted.
  create: (deps) => {
    const { streams, faults, accountId, region } = deps.config;
    return createStreamsService({ ...deps, config: { ...streams, accountId, region }, startFaults: faults });
  },
  adminRoutes: (current) => [faultsRoute(() => current().faults)],
  provision: streamsProvisioning,
};

export function createStreamsService(deps: StreamsServiceDeps & { startFaults?: FaultConfig }): StreamsService {
  // The registry writes through the policy index, which keeps resource policies at hand for authorization.
  const catalog = kinesisOnlyCatalog(streamsCatalog(deps.storage));
  const policyIndex = new ResourcePolicyIndex(catalog);
  const streams = new StreamRegistry(policyIndex.catalog, deps.storage.logs, deps.clock, deps.config, deps.logger);
  // With peers (cluster mode), the nodes share AWS's rates (limits/cluster-rates.ts).
  const limits = createStreamLimits(deps.config, { clock: deps.clock, logger: deps.logger, peers: deps.storage.peers });
  const accountSettings = new AccountSettingsStores(policyIndex.catalog);
  const context: StreamsContext = {
    clock: deps.clock,
    random: deps.random,
    logger: deps.logger,
    config: deps.config,
    accountId: deps.config.accountId,
    streams: streams.forAccount(deps.config.accountId),
    account: accountSettings.forAccount(deps.config.accountId),
    logs: deps.storage.logs,
    iteratorKey: catalog.secret(),
    keyRing: new KeyRing(deps.masterKey ?? ephemeralMasterKey()),
    readBudget: new ReadBudget(readBudgetBytesDefault, readBudgetFloorBytes),
    // On an engine nodes share, the one-subscription rule holds across them (subscriptions/shared-claims.ts).
    subscriptions: new Subscriptions(deps.clock, deps.config.subscriptionMs, { storage: deps.storage, random: deps.random, logger: deps.logger }),
    principal: anonymousPrincipal(deps.config.accountId),
    metrics: new StreamsMetrics(deps.metrics ?? noMetrics),
    ...(limits && { throughput: limits.throughput }),
  };
  const onDemandScaler = limits && new OnDemandScaler(context, limits.throughput);
  const authorizer = new KinesisAuthorizer(context, policyIndex);
  const faults = new FaultControl(deps.clock, Object.keys(streamsActions), deps.faults);
  const pipeline = createActionPipeline<StreamsContext, StreamsAction, Principal>({
    // A miss is answered only once this node's copy of the catalog has caught up (cluster mode: catalog-read-through.ts).
    actions: withCatalogReadThrough(streamsActions, deps.storage.catalog.sync?.bind(deps.storage.catalog)),
    validate: (action, body, format) => checkShape<Record<string, unknown>>(body, action.shape, format),
    context,
    // The anonymous principal of `--auth none` is the shared context's own, so that mode copies
    // nothing per call. Any other caller is authorized (authorization/authorize.ts), and the call
    // then acts on the account authorization names: the caller's, or the owner's of another
    // account's stream whose resource policy granted it.
    anonymous: context.principal,
    authorize: (principal, name, _action, input, facts) => {
      const accountId = authorizer.authorize(principal, name, input, facts);
      return { ...context, principal, accountId, streams: streams.forAccount(accountId), account: accountSettings.forAccount(accountId) };
    },
    // AWS's call rates (each action's `rate`; limits/control-plane-rates.ts). An action's own argument checks (`check`)
    // come before the charge: an invalid call is never throttled.
    ...(limits && {
      rates: {
        admit: (name, action, input, callContext) => {
          if (action.check === undefined) {
            try {
              return limits.controlPlane.admit(name, action.rate, input, deps.clock.nowMs(), callContext.accountId);
            } catch (error) {
              if (name === "SubscribeToShard") countRefusedSubscription(context.metrics, input.ConsumerARN);
              throw error;
            }
          }
          return action.check(callContext, input).then(() => limits.controlPlane.admit(name, action.rate, input, deps.clock.nowMs(), callContext.accountId));
        },
      },
    }),
    // PutRecords' partial failures are the one fault that reaches into an action: FaultControl
    // hands it the entries to fail through the call's context (faults/put-records-faults.ts).
    faults: {
      active: () => faults.injector !== undefined,
      run: (callContext, name, action, input, next) =>
        faults.invoke(callContext, name, limits === undefined ? action : { run: next }, input),
    },
  });
  return {
    rpc: {
      targetPrefix: "Kinesis_20131202",
      hasAction: pipeline.hasAction,
      deepBodyError: (name, deep) => deepBodyError(streamsActions[name]!.shape, deep),
      invoke: pipeline.invoke,
    },
    context,
    faults,
    onDemandScaler,
    streamAccess: createStreamAccess(context),
    start: async () => {
      // A wrong or missing master key stops the start here, naming the key the data needs.
      await context.keyRing.verify(await catalog.list());
      streams.start();
      limits?.cluster?.start();
      onDemandScaler?.start();
      // In a cluster, fault rules installed through any node's admin route apply on every node.
      if (!processLocalEngine(deps.storage)) await faults.share(new SharedFaultRules(deps.storage.catalog, Object.keys(streamsActions)));
    },
    ready: () => {
      if (deps.startFaults !== undefined && !faults.hasSharedRules()) faults.install(deps.startFaults);
    },
    stop: async () => {
      context.subscriptions.stop();
      faults.stop();
      limits?.cluster?.stop();
      await onDemandScaler?.stop();
      return streams.stop();
    },
  };
}
