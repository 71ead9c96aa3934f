import { defineAction } from "../context.js";
import { firehoseRequestShapes } from "../shapes/model.generated.js";
import { appendRecords } from "./put-records-common.js";

export const putRecord = defineAction<{ DeliveryStreamName: string; Record: { Data: Buffer } }, { RecordId: string; Encrypted: boolean }>({
  iamAction: "firehose:PutRecord",
  shape: firehoseRequestShapes.PutRecord,
  async run(context, input) {
    const { recordIds, encrypted } = await appendRecords(context, input.DeliveryStreamName, [input.Record.Data], "PutRecord");
    return { RecordId: recordIds[0]!, Encrypted: encrypted };
  },
});
