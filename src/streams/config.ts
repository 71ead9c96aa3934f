/** `--limits`: AWS's throughput and call-rate limits and on-demand scaling (docs/limits.md), or none. */
export type LimitsMode = "aws" | "off";

/**
 * What the Data Streams service runs with: its own options and the process-wide account and
 * region (the app config's, protocol/service-module.ts ProcessSettings), joined when the service is built.
 */
export interface StreamsConfig {
  region: string;
  accountId: string;
  /** How long a new stream stays CREATING (AWS takes seconds; tests use 0). */
  createStreamMs: number;
  deleteStreamMs: number;
  updateStreamMs: number;
  /** The account's shard quota across all streams. */
  shardLimit: number;
  limits: LimitsMode;
  /** How long a SubscribeToShard lasts (AWS: 5 minutes). Not a CLI flag: tests shorten it to exercise re-subscription. */
  subscriptionMs?: number;
}

export const defaultStreamsConfig: StreamsConfig = {
  region: "us-east-1",
  accountId: "000000000000",
  createStreamMs: 500,
  deleteStreamMs: 500,
  updateStreamMs: 500,
  shardLimit: 500,
  limits: "aws",
};

/** The app config's section for the Data Streams service (`AppConfig.streams`): account and region are the app's own. */
export type StreamsOptions = Omit<StreamsConfig, "region" | "accountId">;
