/** An output's destination by its kind (KinesisStreamsOutput, KinesisFirehoseOutput, LambdaOutput). */
import type { StoredApplication, StoredOutput } from "../../model.js";
import type { RunnerDeps } from "../runner-deps.js";
import type { Destination } from "./destination.js";
import { KinesisDestination } from "./kinesis-destination.js";
import { FirehoseDestination } from "./firehose-destination.js";
import { LambdaDestination } from "./lambda-destination.js";

export function destinationOf(deps: RunnerDeps, application: StoredApplication, output: StoredOutput): Destination {
  if (output.KinesisStreamsOutput !== undefined) return new KinesisDestination(deps.streamAccess, deps.clock, output.KinesisStreamsOutput.ResourceARN);
  if (output.KinesisFirehoseOutput !== undefined) return new FirehoseDestination(deps.deliveryStreamAccess, output.KinesisFirehoseOutput.ResourceARN);
  const idPrefix = `${application.incarnationId.slice(0, 8)}-${application.runNumber}-${output.OutputId}`;
  return new LambdaDestination(deps.functionInvoker, deps.clock, deps.accountId, output.LambdaOutput!.ResourceARN, application.ApplicationARN, idPrefix);
}
