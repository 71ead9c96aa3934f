/**
 * UpdateDestination: checked against CurrentDeliveryStreamVersionId (a stale id answers
 * ConcurrentModificationException), then merged into the stored configuration as Firehose does:
 * members given replace those stored (nested `…Update` members merge into their `…Configuration`),
 * members left out stay. An update of another destination type replaces the destination, except to
 * or from an OpenSearch kind or an HTTP endpoint (Firehose refuses those switches). Each
 * update increments VersionId; the delivery engine restarts the stream's delivery with it.
 */
import { defineAction } from "../context.js";
import { firehoseRequestShapes } from "../shapes/model.generated.js";
import { firehoseErrors } from "../errors.js";
import type { DestinationKind, StoredDestination } from "../model.js";
import { nextVersionId, requireStream, statusOf } from "./common.js";
import { checkDestination, checkProcessingConfiguration } from "./check-configuration.js";

const updateKinds: Record<string, DestinationKind> = {
  S3DestinationUpdate: "S3",
  ExtendedS3DestinationUpdate: "ExtendedS3",
  RedshiftDestinationUpdate: "Redshift",
  ElasticsearchDestinationUpdate: "Elasticsearch",
  AmazonopensearchserviceDestinationUpdate: "Amazonopensearchservice",
  AmazonOpenSearchServerlessDestinationUpdate: "AmazonOpenSearchServerless",
  SplunkDestinationUpdate: "Splunk",
  HttpEndpointDestinationUpdate: "HttpEndpoint",
  SnowflakeDestinationUpdate: "Snowflake",
  IcebergDestinationUpdate: "Iceberg",
};

type UpdateInput = Record<string, unknown> & { DeliveryStreamName: string; CurrentDeliveryStreamVersionId: string; DestinationId: string };

/** `S3BackupUpdate` → `S3BackupConfiguration`, `S3Update` → `S3Configuration`; other names as they are. */
function configurationName(updateMember: string): string {
  return updateMember.endsWith("Update") ? `${updateMember.slice(0, -"Update".length)}Configuration` : updateMember;
}

export function mergeUpdate(stored: Record<string, unknown>, update: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...stored };
  for (const [member, value] of Object.entries(update)) {
    const name = configurationName(member);
    const isNested = member.endsWith("Update") && typeof value === "object" && value !== null;
    out[name] = isNested ? mergeUpdate((stored[name] as Record<string, unknown> | undefined) ?? {}, value as Record<string, unknown>) : value;
  }
  return out;
}

/** The kinds a destination cannot be switched to or from ("Switching between Amazon OpenSearch Service and other services is not supported"). */
const openSearchKinds: ReadonlySet<DestinationKind> = new Set(["Elasticsearch", "Amazonopensearchservice", "AmazonOpenSearchServerless"]);

/** Firehose's refusal of a switch to or from OpenSearch or an HTTP endpoint, or undefined when the switch is allowed. */
function refusedSwitch(from: DestinationKind, to: DestinationKind): string | undefined {
  if (from === to || (openSearchKinds.has(from) && openSearchKinds.has(to))) return undefined;
  const fixed = [to, from].find((kind) => openSearchKinds.has(kind) || kind === "HttpEndpoint");
  return fixed === undefined ? undefined : `Changing the destination type to or from ${fixed} is not supported at this time.`;
}

/** The destination an update makes of the stored one. */
function mergedDestination(destination: StoredDestination, kind: DestinationKind, update: Record<string, unknown>): StoredDestination {
  // S3 and extended S3 take each other's updates (an S3 update of an extended destination keeps it extended).
  const sameFamily = destination.kind === kind || (destination.kind === "ExtendedS3" && kind === "S3") || (destination.kind === "S3" && kind === "ExtendedS3");
  const configuration = sameFamily ? mergeUpdate(destination.configuration, update) : mergeUpdate({}, update);
  const nextKind = sameFamily && destination.kind === "ExtendedS3" ? "ExtendedS3" : kind;
  return { DestinationId: destination.DestinationId, kind: nextKind, configuration };
}

export const updateDestination = defineAction<UpdateInput, Record<string, never>>({
  iamAction: "firehose:UpdateDestination",
  shape: firehoseRequestShapes.UpdateDestination,
  async run(context, input) {
    const given = Object.keys(updateKinds).filter((member) => input[member] !== undefined);
    if (given.length !== 1) throw firehoseErrors.invalidArgument("Exactly one destination update is supported for a Firehose");
    const member = given[0]!;
    const kind = updateKinds[member]!;
    const update = input[member] as Record<string, unknown>;
    checkProcessingConfiguration(update);
    const current = await requireStream(context, input.DeliveryStreamName);
    if (statusOf(current, context.clock.nowMs()) !== "ACTIVE") throw firehoseErrors.notActive(current.DeliveryStreamName, "CREATING");
    // The destination's checks see the configuration as it will be stored (the update merged).
    const target = current.destinations.find((destination) => destination.DestinationId === input.DestinationId);
    if (target !== undefined) {
      const refused = refusedSwitch(target.kind, kind);
      if (refused !== undefined) throw firehoseErrors.invalidArgument(refused);
      const merged = mergedDestination(target, kind, update);
      await checkDestination(merged.kind, merged.configuration);
    }
    const updated = await context.store.update(context.accountId, input.DeliveryStreamName, (stream) => {
      if (stream.VersionId !== input.CurrentDeliveryStreamVersionId) {
        throw firehoseErrors.concurrentModification(stream.DeliveryStreamName, stream.VersionId, input.CurrentDeliveryStreamVersionId);
      }
      const index = stream.destinations.findIndex((destination) => destination.DestinationId === input.DestinationId);
      if (index < 0) throw firehoseErrors.invalidArgument(`Destination Id ${input.DestinationId} not found.`);
      const destination = stream.destinations[index]!;
      const destinations = stream.destinations.slice();
      destinations[index] = mergedDestination(destination, kind, update);
      return { ...stream, destinations, VersionId: nextVersionId(stream.VersionId), lastUpdatedAtMs: context.clock.nowMs() };
    });
    if (updated === undefined) throw firehoseErrors.resourceNotFound(input.DeliveryStreamName, context.accountId);
    context.delivery.streamChanged(context.accountId, input.DeliveryStreamName);
    return {};
  },
});
