/**
 * The source of an application's input, from where its run starts: a Kinesis stream (or a
 * delivery stream reading one, read as that stream), or a DirectPut delivery stream's log. Resume
 * positions apply only to the same stream; otherwise the input starts as configured — NOW (the
 * instant StartApplication was called), TRIM_HORIZON, or LAST_STOPPED_POINT without a checkpoint,
 * which is NOW.
 */
import type { StoredApplication, StoredInput } from "../model.js";
import type { RunnerDeps } from "./runner-deps.js";
import { KinesisSource, type KinesisStart } from "./sources/kinesis-source.js";
import { FirehoseSource, firehoseLaneId } from "./sources/firehose-source.js";
import type { InputPositions, InputSource, SourceEvents } from "./sources/source.js";

export async function openSource(deps: RunnerDeps, application: StoredApplication, input: StoredInput, resume: InputPositions | undefined, events: SourceEvents): Promise<InputSource> {
  const position = input.InputStartingPositionConfiguration?.InputStartingPosition ?? "NOW";
  const startedAtMs = application.runStartedAtMs ?? deps.clock.nowMs();
  const parallelism = input.InputParallelism.Count;
  let streamArn = input.KinesisStreamsInput?.ResourceARN;
  const deliveryArn = input.KinesisFirehoseInput?.ResourceARN;
  if (deliveryArn !== undefined) {
    const view = await deps.deliveryStreamAccess.describeDeliveryStream(deliveryArn);
    if (view?.kinesisStreamArn !== undefined) streamArn = view.kinesisStreamArn;
  }
  if (streamArn !== undefined) {
    const start: KinesisStart =
      resume?.kind === "kinesis" && resume.arn === streamArn ? { type: "RESUME", lanes: resume.lanes } : position === "TRIM_HORIZON" ? { type: "TRIM_HORIZON" } : { type: "NOW", atMs: startedAtMs };
    return new KinesisSource({ access: deps.streamAccess, clock: deps.clock, streamArn, parallelism, start, events });
  }
  const resumed = resume?.kind === "firehose" && resume.arn === deliveryArn ? resume.lanes[firehoseLaneId] : undefined;
  const fromPosition = resumed !== undefined && "after" in resumed ? Number(resumed.after) : undefined;
  return new FirehoseSource({ access: deps.deliveryStreamAccess, clock: deps.clock, arn: deliveryArn!, fromPosition, nowAtMs: startedAtMs, parallelism, events });
}
