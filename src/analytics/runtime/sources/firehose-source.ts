/**
 * A delivery stream input: one lane over a DirectPut stream's durable ingest log, read through
 * DeliveryStreamAccess by log offset (a record's position is the offset after it). NOW starts at
 * the first record that arrived at or after StartApplication; a resume continues after the last
 * record the engine took. (A delivery stream reading a Kinesis stream is read as that stream: runner.ts.)
 */
import type { DeliveryStreamAccess } from "../../../storage/delivery-stream-access.js";
import type { Clock } from "../../../util/clock.js";
import { Lane, type SourceRecord } from "./lane.js";
import type { InputPositions, InputSource, LanePosition, SourceEvents } from "./source.js";

export const firehoseLaneId = "log";

export interface FirehoseSourceOptions {
  access: DeliveryStreamAccess;
  clock: Clock;
  arn: string;
  /** The offset to read from; undefined: the first record that arrived at or after `nowAtMs` (NOW). */
  fromPosition: number | undefined;
  nowAtMs: number;
  /** Delivery stream records feed the input's in-application streams in turn (all to _001 with one). */
  parallelism: number;
  events: SourceEvents;
  pollMs?: number;
}

const readRecordsMax = 10_000;
const readBytesMax = 4 * 1024 * 1024;

export class FirehoseSource implements InputSource {
  private readonly lane: Lane;
  private readonly stopController = new AbortController();
  private readonly reader: Promise<void>;
  /** Where reading began (NOW: the log's end, once known). */
  private resolvedStart: number | undefined;

  constructor(private readonly options: FirehoseSourceOptions) {
    this.lane = new Lane(firehoseLaneId, 0, options.fromPosition === undefined ? "" : String(options.fromPosition));
    this.reader = this.read();
  }

  lanes(): readonly Lane[] {
    return [this.lane];
  }

  positions(pushed: ReadonlyMap<string, string>): InputPositions {
    const after = pushed.get(firehoseLaneId) ?? (this.resolvedStart === undefined ? undefined : String(this.resolvedStart));
    const lanes: Record<string, LanePosition> = after === undefined ? {} : { [firehoseLaneId]: { after } };
    return { kind: "firehose", arn: this.options.arn, lanes };
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.lane.wakeReader();
    await this.reader;
  }

  private sleep = (ms: number, signal: AbortSignal) => this.options.clock.sleep(ms, { signal, unref: true });

  private async read(): Promise<void> {
    const { access, arn, events } = this.options;
    const pollMs = this.options.pollMs ?? 1000;
    const watch = access.watch(arn, () => {
      this.lane.announced();
      events.changed();
    });
    let position = this.options.fromPosition;
    this.resolvedStart = position;
    let reported: string | undefined;
    try {
      while (!this.stopController.signal.aborted) {
        if (this.lane.full()) {
          await this.lane.waitForReader(this.sleep, pollMs);
          continue;
        }
        if (position === undefined) {
          const positions = await access.positions(arn, this.options.nowAtMs);
          if (positions === undefined) {
            const message = `The input delivery stream ${arn} does not exist or is not a DirectPut stream.`;
            if (reported !== message) events.problem(message);
            reported = message;
            await this.lane.waitForReader(this.sleep, pollMs);
            continue;
          }
          position = positions.at ?? positions.end;
          this.resolvedStart = position;
        }
        const read = await access.readRecords(arn, position, { recordsMax: readRecordsMax, bytesMax: readBytesMax });
        if (this.stopController.signal.aborted) return;
        if (!read.ok) {
          const message = `Reading the input delivery stream ${arn} failed: ${read.reason}.`;
          if (reported !== message) events.problem(message);
          reported = message;
          await this.lane.waitForReader(this.sleep, pollMs);
          continue;
        }
        reported = undefined;
        position = read.next;
        this.lane.readDone(read.records.map((record): SourceRecord => ({ data: record.data, arrivalMs: record.arrivalMs, position: String(record.position + 1) })));
        events.changed();
        if (read.records.length === 0) await this.lane.waitForReader(this.sleep, pollMs);
      }
    } finally {
      watch.stop();
    }
  }
}
