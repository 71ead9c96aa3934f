/**
 * The streams service's section of the init document (`--init`, docs/testing.md): "streams", each
 * entry a CreateStream request with an optional "Consumers" list of consumer names
 * (protocol/provisioning.ts describes how sections are run).
 *
 * Idempotent, so a restart with the same file neither fails nor duplicates:
 * - a stream that exists is left as it is; if its mode or open shard count differs from the
 *   entry, a warning says so (as AWS would refuse a second CreateStream rather than reshard).
 *   Its entry's Tags are applied (AddTagsToStream) so they hold after the restart too;
 * - a consumer that exists is kept;
 * - one still DELETING from before is waited out and created again.
 * Streams and consumers are waited for until ACTIVE (DescribeStreamSummary, DescribeStreamConsumer),
 * so the server reports ready only with all of them usable.
 */
import type { AwsService } from "../protocol/aws-service.js";
import { InitError, ProvisionCalls, type ProvisionContext, type ProvisionEntry, type ServiceProvisioning } from "../protocol/provisioning.js";
import { streamArn } from "../core/arn.js";
import type { StreamsOptions } from "./config.js";

/** AWS allows five consumers in CREATING per account; registrations beyond wait for earlier ones. */
const consumersCreatingMax = 5;

/** The "streams" section, for the service's module (index.ts). */
export const streamsProvisioning: ServiceProvisioning<{ config: { streams: StreamsOptions } }, { rpc: AwsService }> = {
  section: "streams",
  entryKind: "CreateStream request",
  // Room for a stream still DELETING, then CREATING, then its consumers CREATING.
  settleMs: ({ config: { streams } }) => streams.deleteStreamMs + 2 * streams.createStreamMs + streams.updateStreamMs,
  apply: (entries, instance, context) => provisionStreams(entries, instance.rpc, context),
};

async function provisionStreams(entries: readonly ProvisionEntry[], service: AwsService, context: ProvisionContext) {
  const run = new StreamsProvisioner(service, context);
  const summary = { streamsCreated: 0, streamsExisting: 0, consumersRegistered: 0 };
  const existing: number[] = [];
  for (const [index, entry] of entries.entries()) {
    const created = await run.ensureStream(entry, `streams[${index}]`);
    if (created) summary.streamsCreated++;
    else existing.push(index);
  }
  summary.streamsExisting = existing.length;
  for (const [index, entry] of entries.entries()) await run.untilStreamActive(String(entry.StreamName), `streams[${index}]`);
  for (const index of existing) await run.applyTags(entries[index]!, `streams[${index}]`);
  for (const [index, entry] of entries.entries()) summary.consumersRegistered += await run.ensureConsumers(entry, `streams[${index}]`);
  await run.untilConsumersActive();
  return summary;
}

class StreamsProvisioner extends ProvisionCalls {
  /** Consumers registered and not yet seen ACTIVE: [stream name, consumer name, where]. */
  private pendingConsumers: Array<[string, string, string]> = [];

  constructor(
    private readonly service: AwsService,
    context: ProvisionContext,
  ) {
    super(context);
  }

  /** Creates the stream; false if it already existed (checked against the entry, which is not applied). */
  async ensureStream(entry: ProvisionEntry, where: string): Promise<boolean> {
    const { Consumers: _consumers, ...request } = entry;
    const name = String(entry.StreamName);
    const create = { service: this.service, action: "CreateStream", request };
    const outcome = await this.createUnlessExists(create, where, `stream ${name} to finish deleting`, () => this.describeStream(name, where), (summary) => summary.StreamStatus);
    if (outcome.created) return true;
    this.compareStream(entry, outcome.found, where);
    return false;
  }

  untilStreamActive(name: string, where: string): Promise<void> {
    return this.untilActive(`stream ${name}`, where, async () => (await this.describeStream(name, where))?.StreamStatus);
  }

  /** The entry's Tags on a stream that existed before this start: AddTagsToStream replaces values, keeps other tags. */
  async applyTags(entry: ProvisionEntry, where: string): Promise<void> {
    if (entry.Tags === undefined) return;
    await this.call(this.service, "AddTagsToStream", { StreamName: entry.StreamName, Tags: entry.Tags }, where).catch((error: unknown) => {
      throw this.named(error, "AddTagsToStream", where);
    });
  }

  /** Registers the entry's consumers not registered yet; returns how many it registered. */
  async ensureConsumers(entry: ProvisionEntry, where: string): Promise<number> {
    if (entry.Consumers === undefined) return 0;
    if (!Array.isArray(entry.Consumers)) throw new InitError(`${where}.Consumers must be a list of consumer names`);
    const streamName = String(entry.StreamName);
    let registered = 0;
    for (const [index, consumerName] of entry.Consumers.entries()) {
      const consumerWhere = `${where}.Consumers[${index}]`;
      if (this.pendingConsumers.length >= consumersCreatingMax) await this.untilConsumersActive();
      if (await this.ensureConsumer(streamName, consumerName, consumerWhere)) registered++;
    }
    return registered;
  }

  private async ensureConsumer(streamName: string, consumerName: unknown, where: string): Promise<boolean> {
    const request = { StreamARN: streamArn(this.context.region, this.context.accountId, streamName), ConsumerName: consumerName };
    const create = { service: this.service, action: "RegisterStreamConsumer", request };
    const outcome = await this.createUnlessExists(
      create,
      where,
      `consumer ${String(consumerName)} to finish deregistering`,
      async () => {
        const status = await this.consumerStatus(streamName, String(consumerName), where);
        return status === undefined ? undefined : { status };
      },
      (found) => found.status,
    );
    if (outcome.created || outcome.found.status !== "ACTIVE") this.pendingConsumers.push([streamName, String(consumerName), where]);
    return outcome.created;
  }

  async untilConsumersActive(): Promise<void> {
    for (const [streamName, consumerName, where] of this.pendingConsumers) {
      await this.untilActive(`consumer ${consumerName}`, where, () => this.consumerStatus(streamName, consumerName, where));
    }
    this.pendingConsumers = [];
  }

  private compareStream(entry: ProvisionEntry, summary: Record<string, unknown>, where: string): void {
    const modeDetails = entry.StreamModeDetails as { StreamMode?: unknown } | undefined;
    const mode = modeDetails?.StreamMode ?? (entry.ShardCount === undefined ? "ON_DEMAND" : "PROVISIONED");
    const existingMode = (summary.StreamModeDetails as { StreamMode?: unknown } | undefined)?.StreamMode;
    const stream = String(entry.StreamName);
    if (existingMode !== mode) {
      this.context.logger.warn({ stream, entry: where, mode: existingMode, fileMode: mode }, "init: the stream exists in another capacity mode; left as it is");
    } else if (mode === "PROVISIONED" && summary.OpenShardCount !== entry.ShardCount) {
      this.context.logger.warn(
        { stream, entry: where, openShardCount: summary.OpenShardCount, fileShardCount: entry.ShardCount },
        "init: the stream exists with another shard count; left as it is (UpdateShardCount changes it)",
      );
    }
  }

  private async describeStream(name: string, where: string): Promise<Record<string, unknown> | undefined> {
    return (await this.describe(this.service, "DescribeStreamSummary", { StreamName: name }, where))?.StreamDescriptionSummary as Record<string, unknown> | undefined;
  }

  private async consumerStatus(streamName: string, consumerName: string, where: string): Promise<string | undefined> {
    const request = { StreamARN: streamArn(this.context.region, this.context.accountId, streamName), ConsumerName: consumerName };
    const output = await this.describe(this.service, "DescribeStreamConsumer", request, where);
    return output === undefined ? undefined : String((output.ConsumerDescription as Record<string, unknown>).ConsumerStatus);
  }
}
