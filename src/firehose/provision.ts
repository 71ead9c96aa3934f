/**
 * Firehose's section of the init document (`--init`, docs/testing.md): "deliveryStreams", each
 * entry a CreateDeliveryStream request (protocol/provisioning.ts describes how sections are run).
 * The sections before it are applied first, so a delivery stream can read a stream of "streams"
 * (KinesisStreamSourceConfiguration), deliver to a bucket of "buckets" and transform with a
 * function of "functions".
 *
 * Idempotent, so a restart with the same file neither fails nor duplicates: a delivery stream that
 * exists is left as it is (its destinations are UpdateDestination's to change; a warning says when
 * its type differs from the entry's), and its entry's Tags are applied again (TagDeliveryStream);
 * one still DELETING from before is waited out and created again. Every delivery stream is waited
 * for until ACTIVE (DescribeDeliveryStream), so the server reports ready with all of them taking records.
 */
import type { AwsService } from "../protocol/aws-service.js";
import { ProvisionCalls, type ProvisionContext, type ProvisionEntry, type ServiceProvisioning } from "../protocol/provisioning.js";
import { firehoseOptionsDefault, type FirehoseOptions } from "./context.js";

/** The "deliveryStreams" section, for the service's module (service.ts). */
export const deliveryStreamsProvisioning: ServiceProvisioning<{ config: { firehose?: Partial<FirehoseOptions> } }, { rpc: AwsService }> = {
  section: "deliveryStreams",
  entryKind: "CreateDeliveryStream request",
  // Room for one still DELETING (deleted at once here), then CREATING.
  settleMs: ({ config }) => config.firehose?.createDelayMs ?? firehoseOptionsDefault.createDelayMs,
  apply: (entries, instance, context) => provisionDeliveryStreams(entries, instance.rpc, context),
};

async function provisionDeliveryStreams(entries: readonly ProvisionEntry[], service: AwsService, context: ProvisionContext): Promise<Record<string, number>> {
  const run = new DeliveryStreamsProvisioner(service, context);
  const summary = { deliveryStreamsCreated: 0, deliveryStreamsExisting: 0 };
  const existing: number[] = [];
  for (const [index, entry] of entries.entries()) {
    if (await run.ensureDeliveryStream(entry, `deliveryStreams[${index}]`)) summary.deliveryStreamsCreated++;
    else existing.push(index);
  }
  summary.deliveryStreamsExisting = existing.length;
  for (const [index, entry] of entries.entries()) await run.untilDeliveryStreamActive(String(entry.DeliveryStreamName), `deliveryStreams[${index}]`);
  for (const index of existing) await run.applyTags(entries[index]!, `deliveryStreams[${index}]`);
  return summary;
}

class DeliveryStreamsProvisioner extends ProvisionCalls {
  constructor(
    private readonly service: AwsService,
    context: ProvisionContext,
  ) {
    super(context);
  }

  /** Creates the delivery stream; false if it already existed. */
  async ensureDeliveryStream(entry: ProvisionEntry, where: string): Promise<boolean> {
    const name = String(entry.DeliveryStreamName);
    const create = { service: this.service, action: "CreateDeliveryStream", request: entry };
    const outcome = await this.createUnlessExists(create, where, `delivery stream ${name} to finish deleting`, () => this.describeDeliveryStream(name, where), (found) => found.DeliveryStreamStatus);
    if (outcome.created) return true;
    const type = entry.DeliveryStreamType ?? "DirectPut";
    if (outcome.found.DeliveryStreamType !== type) {
      this.context.logger.warn({ deliveryStream: name, entry: where, type: outcome.found.DeliveryStreamType, fileType: type }, "init: the delivery stream exists with another source type; left as it is");
    }
    return false;
  }

  untilDeliveryStreamActive(name: string, where: string): Promise<void> {
    return this.untilActive(`delivery stream ${name}`, where, async () => (await this.describeDeliveryStream(name, where))?.DeliveryStreamStatus);
  }

  /** The entry's Tags on a delivery stream that existed before this start (TagDeliveryStream replaces values, keeps other tags). */
  async applyTags(entry: ProvisionEntry, where: string): Promise<void> {
    if (!Array.isArray(entry.Tags) || entry.Tags.length === 0) return;
    await this.call(this.service, "TagDeliveryStream", { DeliveryStreamName: entry.DeliveryStreamName, Tags: entry.Tags }, where).catch((error: unknown) => {
      throw this.named(error, "TagDeliveryStream", where);
    });
  }

  private async describeDeliveryStream(name: string, where: string): Promise<Record<string, unknown> | undefined> {
    return (await this.describe(this.service, "DescribeDeliveryStream", { DeliveryStreamName: name }, where))?.DeliveryStreamDescription as Record<string, unknown> | undefined;
  }
}
