import { defineAction } from "../context.js";
import { firehoseRequestShapes } from "../shapes/model.generated.js";
import { firehoseErrors } from "../errors.js";
import { appendRecords } from "./put-records-common.js";

/** PutRecordBatch's bound on a request's data: 4 MiB. */
export const batchBytesMax = 4 * 1024 * 1024;

interface BatchOutput {
  FailedPutCount: number;
  Encrypted: boolean;
  RequestResponses: { RecordId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

export const putRecordBatch = defineAction<{ DeliveryStreamName: string; Records: { Data: Buffer }[] }, BatchOutput>({
  iamAction: "firehose:PutRecordBatch",
  shape: firehoseRequestShapes.PutRecordBatch,
  async run(context, input) {
    let bytes = 0;
    for (const record of input.Records) bytes += record.Data.length;
    if (bytes > batchBytesMax) throw firehoseErrors.invalidArgument(`Records size exceeds ${batchBytesMax} bytes limit.`);
    // One durable append for the whole batch: every record is stored or none is, so a failure
    // answers the request with an error rather than with per-record ServiceUnavailableException
    // entries; per-record failures never happen here, and FailedPutCount is 0.
    const { recordIds, encrypted } = await appendRecords(context, input.DeliveryStreamName, input.Records.map((record) => record.Data), "PutRecordBatch");
    return { FailedPutCount: 0, Encrypted: encrypted, RequestResponses: recordIds.map((RecordId) => ({ RecordId })) };
  },
});
