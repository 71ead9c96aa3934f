/** A delivery stream output: PutRecordBatch (DeliveryStreamAccess) of up to 500 records and 4 MiB, all or none. */
import type { DeliveryStreamAccess } from "../../../storage/delivery-stream-access.js";
import type { Destination, OutputMark, WriteOutcome } from "./destination.js";

export class FirehoseDestination implements Destination {
  readonly recordsPerWriteMax = 500;
  readonly bytesPerWriteMax = 4 * 1024 * 1024;

  constructor(
    private readonly access: DeliveryStreamAccess,
    private readonly arn: string,
  ) {}

  get description(): string {
    return `the output delivery stream ${this.arn}`;
  }

  async write(records: readonly Buffer[]): Promise<WriteOutcome> {
    const outcome = await this.access.putRecordBatch(this.arn, records);
    if (!outcome.ok) return { ok: false, message: `${outcome.errorCode}: ${outcome.errorMessage}` };
    return { ok: true, failed: [] };
  }

  async mark(): Promise<OutputMark> {
    const positions = await this.access.positions(this.arn);
    return { kind: "firehose", arn: this.arn, position: positions?.end ?? 0 };
  }
}
