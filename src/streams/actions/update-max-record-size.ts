import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { StreamARN, StreamId } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import { changeActiveStream } from "../stream-change.js";

interface UpdateMaxRecordSizeInput {
  StreamARN?: string;
  MaxRecordSizeInKiB: number;
}

/**
 * UpdateMaxRecordSize: the largest record (data plus partition key) the stream takes, 1024 to
 * 10240 KiB. Takes effect at once for PutRecord / PutRecords; the stream stays ACTIVE.
 */
export const updateMaxRecordSize = defineAction<UpdateMaxRecordSizeInput, undefined>({
  iamAction: "kinesis:UpdateMaxRecordSize",
  resources: streamResource,
  plane: "control",
  shape: {
    type: "structure",
    members: {
      StreamARN,
      StreamId,
      MaxRecordSizeInKiB: { type: "integer", required: true, min: limits.maxRecordSizeKiBMin, max: limits.maxRecordSizeKiBMax },
    },
  },
  async run(context, input) {
    // The API names the stream by ARN only; the model leaves the member optional.
    if (input.StreamARN === undefined) throw streamsErrors.streamArnRequired();
    await changeActiveStream(context, { StreamARN: input.StreamARN }, (meta) => ({
      next: meta.MaxRecordSizeInKiB === input.MaxRecordSizeInKiB ? undefined : { ...meta, MaxRecordSizeInKiB: input.MaxRecordSizeInKiB },
      result: undefined,
    }));
    return undefined;
  },
});
