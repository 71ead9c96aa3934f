/**
 * A Lambda function output (the developer guide's "Using a Lambda Function as Output"): the
 * function receives {"invocationId", "applicationArn", "records": [{"recordId", "lastUpdatedTime",
 * "data": base64}]} and answers {"records": [{"recordId", "result": "Ok" | "DeliveryFailed"}]};
 * DeliveryFailed records, and those the answer leaves out, are sent again. At least once: a
 * recovery cannot read back what a function did with its records.
 */
import type { FunctionInvoker } from "../../../storage/function-invoker.js";
import type { Clock } from "../../../util/clock.js";
import type { Destination, OutputMark, WriteOutcome } from "./destination.js";

export class LambdaDestination implements Destination {
  readonly recordsPerWriteMax = 500;
  /** Lambda's 6 MB payload, less the base64 growth and the event around the records. */
  readonly bytesPerWriteMax = 4 * 1024 * 1024;
  private invocations = 0;

  constructor(
    private readonly invoker: FunctionInvoker,
    private readonly clock: Clock,
    private readonly accountId: string,
    private readonly functionArn: string,
    private readonly applicationArn: string,
    private readonly idPrefix: string,
  ) {}

  get description(): string {
    return `the output function ${this.functionArn}`;
  }

  async write(records: readonly Buffer[]): Promise<WriteOutcome> {
    const invocationId = `${this.idPrefix}-${++this.invocations}`;
    const ids = records.map((_, index) => `${invocationId}-${index}`);
    const event = {
      invocationId,
      applicationArn: this.applicationArn,
      records: records.map((data, index) => ({ recordId: ids[index]!, lastUpdatedTime: this.clock.nowMs(), data: data.toString("base64") })),
    };
    const outcome = await this.invoker.invoke(this.accountId, this.functionArn, Buffer.from(JSON.stringify(event)));
    if (!outcome.ok) return { ok: false, message: `${outcome.errorCode}: ${outcome.errorMessage}` };
    if (outcome.functionError !== undefined) return { ok: false, message: `The output function failed: ${outcome.payload.toString("utf8").slice(0, 512)}` };
    const delivered = new Set<string>();
    try {
      const answer = JSON.parse(outcome.payload.toString("utf8")) as { records?: { recordId?: unknown; result?: unknown }[] };
      for (const entry of answer.records ?? []) if (entry.result === "Ok" && typeof entry.recordId === "string") delivered.add(entry.recordId);
    } catch {
      return { ok: false, message: "The output function's response is not JSON." };
    }
    return { ok: true, failed: ids.flatMap((id, index) => (delivered.has(id) ? [] : [index])) };
  }

  async mark(): Promise<OutputMark> {
    return { kind: "lambda" };
  }
}
