/**
 * PutRecords partial failure: the entries a rule picked come back with an ErrorCode and AWS's
 * ErrorMessage and are not written; the others are written as usual. PutRecords calls in here
 * once it has checked the whole request (size, stream, every hash key), so a request that AWS
 * would refuse is still refused whole; the kept entries then go through PutRecords itself.
 */
import type { StreamsContext } from "../context.js";
import { internalFailureEntryMessage, shardRateExceededMessage } from "../errors.js";
import { shardRouter } from "../records/index.js";
import type { EntryErrorCode } from "./fault-config.js";
import type { StreamMeta } from "../model.js";

export type PutRecordsResultEntry = { SequenceNumber: string; ShardId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutRecordsFaultOutput {
  FailedRecordCount: number;
  Records: PutRecordsResultEntry[];
  EncryptionType: StreamMeta["EncryptionType"];
}

interface PutRecordsFaultInput {
  Records: readonly unknown[];
}

/** Set on the context of one PutRecords call that a partial-failure rule fired on. */
export interface PutRecordsFaults {
  /** How many entries the rule fails, and with which ErrorCode (the call's metrics count them). */
  readonly failedCount: number;
  readonly errorCode: EntryErrorCode;
  /** Answers the call: `hashKeys` are the entries' routing keys, as PutRecords resolved them. */
  answer(meta: StreamMeta, input: PutRecordsFaultInput, hashKeys: readonly string[]): Promise<PutRecordsFaultOutput>;
}

export function putRecordsFaults(
  context: StreamsContext,
  errorCode: EntryErrorCode,
  failedIndexes: readonly number[],
  /** Runs PutRecords, without faults, on the kept entries. */
  putKept: (input: PutRecordsFaultInput) => Promise<unknown>,
): PutRecordsFaults {
  return {
    failedCount: new Set(failedIndexes).size,
    errorCode,
    async answer(meta, input, hashKeys) {
      const failed = new Set(failedIndexes);
      const kept = input.Records.filter((_, index) => !failed.has(index));
      const output = kept.length > 0 ? ((await putKept({ ...input, Records: kept })) as PutRecordsFaultOutput) : undefined;
      const route = shardRouter(meta);
      const records: PutRecordsResultEntry[] = [];
      let keptPosition = 0;
      for (let index = 0; index < input.Records.length; index++) {
        if (!failed.has(index)) {
          records.push(output!.Records[keptPosition++]!);
        } else if (errorCode === "InternalFailure") {
          records.push({ ErrorCode: errorCode, ErrorMessage: internalFailureEntryMessage });
        } else {
          const shardId = route(hashKeys[index]!).ShardId;
          records.push({ ErrorCode: errorCode, ErrorMessage: shardRateExceededMessage(shardId, meta.StreamName, context.accountId) });
        }
      }
      return {
        FailedRecordCount: (output?.FailedRecordCount ?? 0) + failed.size,
        Records: records,
        EncryptionType: output?.EncryptionType ?? meta.EncryptionType,
      };
    },
  };
}
