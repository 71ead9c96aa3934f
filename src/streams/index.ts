/**
 * The Kinesis Data Streams service: X-Amz-Target prefix `Kinesis_20131202`.
 */
import { ReadBudget, readBudgetBytesDefault, readBudgetFloorBytes } from "./records/read-budget.js";
import type { AwsService } from "../protocol/aws-service.js";
import { checkShape, deepBodyError } from "../protocol/shapes.js";
import type { WireFormat } from "../protocol/wire-format.js";
import { streamsActions } from "./actions/index.js";
import type { StreamsContext } from "./context.js";
import type { StreamsAction } from "./action.js";
import { StreamRegistry } from "./stream-registry.js";
import { AccountSettingsStores } from "./account-settings.js";
import type { StreamsConfig } from "./config.js";
import type { StorageEngine } from "../storage/types.js";
import { streamsCatalog } from "./stream-catalog.js";
import { FaultControl, type FaultConfig } from "./faults/index.js";
import { KeyRing } from "./encryption/index.js";
import { ephemeralMasterKey, type MasterKeySource } from "./encryption/crypto/index.js";
import { createStreamLimits, OnDemandScaler } from "./limits/index.js";
import { Subscriptions } from "./subscriptions/index.js";
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import { KinesisAuthorizer, ResourcePolicyIndex, type RequestFacts } from "../auth/authorize.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";

export type { StreamsConfig, LimitsMode } from "./config.js";
export { defaultStreamsConfig } from "./config.js";
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
}

export interface StreamsService extends AwsService {
  readonly context: StreamsContext;
  /** Fault injection rules, replaced at runtime by the admin endpoint. */
  readonly faults: FaultControl;
  /** Scales ON_DEMAND streams (docs/limits.md); undefined with `--limits off`. Tests drive it with `tick()`. */
  readonly onDemandScaler: OnDemandScaler | undefined;
  start(): void;
  stop(): Promise<void>;
}

export function createStreamsService(deps: StreamsServiceDeps): StreamsService {
  // The registry writes through the policy index, which keeps resource policies at hand for authorization.
  const catalog = streamsCatalog(deps.storage);
  const policyIndex = new ResourcePolicyIndex(catalog);
  const streams = new StreamRegistry(policyIndex.catalog, deps.storage.logs, deps.clock, deps.config, deps.logger);
  const limits = createStreamLimits(deps.config);
  const accountSettings = new AccountSettingsStores(catalog);
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
    subscriptions: new Subscriptions(deps.clock, deps.config.subscriptionMs),
    principal: anonymousPrincipal(deps.config.accountId),
    ...(limits && { throughput: limits.throughput }),
  };
  const onDemandScaler = limits && new OnDemandScaler(context, limits.throughput);
  const authorizer = new KinesisAuthorizer(context, policyIndex);
  const faults = new FaultControl(deps.clock, Object.keys(streamsActions), deps.faults);
  return {
    targetPrefix: "Kinesis_20131202",
    context,
    faults,
    onDemandScaler,
    hasAction: (name) => Object.prototype.hasOwnProperty.call(streamsActions, name),
    deepBodyError: (name, deep) => deepBodyError(streamsActions[name]!.shape, deep),
    async invoke(name: string, body: unknown, format: WireFormat, principal?: Principal, facts?: RequestFacts) {
      const action = streamsActions[name]!;
      const input = checkShape<Record<string, unknown>>(body, action.shape, format);
      // The caller; the anonymous principal of `--auth none` is the shared context's own, so that
      // mode copies nothing per call. Any other caller is authorized (src/auth/authorize.ts), and
      // the call then acts on the account authorization names: the caller's, or the owner's of
      // another account's stream whose resource policy granted it.
      let callContext = context;
      if (principal !== undefined && principal !== context.principal) {
        const accountId = authorizer.authorize(principal, name, input, facts);
        callContext = { ...context, principal, accountId, streams: streams.forAccount(accountId), account: accountSettings.forAccount(accountId) };
      }
      // Without fault rules a call costs one check here; with them, faults apply before the action
      // runs, and a faulted call takes nothing from AWS's call rates (limits/control-plane-rates.ts).
      // An action's own argument checks (`check`) come before the charge: an invalid call is never throttled.
      if (faults.injector === undefined) {
        if (limits !== undefined) {
          if (action.check !== undefined) await action.check(callContext, input);
          limits.controlPlane.admit(name, input, deps.clock.nowMs(), callContext.accountId);
        }
        return action.run(callContext, input);
      }
      if (limits === undefined) return faults.invoke(callContext, name, action, input);
      const limited: StreamsAction = {
        shape: action.shape,
        run: async (runContext, runInput) => {
          if (action.check !== undefined) await action.check(runContext, runInput);
          limits.controlPlane.admit(name, runInput, deps.clock.nowMs(), runContext.accountId);
          return action.run(runContext, runInput);
        },
      };
      return faults.invoke(callContext, name, limited, input);
    },
    start: () => {
      streams.start();
      onDemandScaler?.start();
    },
    stop: async () => {
      context.subscriptions.stop();
      faults.stop();
      await onDemandScaler?.stop();
      return streams.stop();
    },
  };
}
