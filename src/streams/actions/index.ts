/** The action registry: one line per Kinesis action (X-Amz-Target `Kinesis_20131202.<name>`). */
import type { StreamsAction } from "../action.js";
import { createStream } from "./create-stream.js";
import { describeStreamSummary } from "./describe-stream-summary.js";

export const streamsActions: Readonly<Record<string, StreamsAction>> = {
  CreateStream: createStream,
  DescribeStreamSummary: describeStreamSummary,
};
