/**
 * The replay mode (`tributary analytics run`): an application run deterministically on a virtual
 * clock. Each record becomes rows of its in-application input stream through the input schema
 * (ROWTIME = its arrival), time advances to each record's arrival before the record is pushed (so
 * windows close as they would live), and to +Infinity after the last; every row any in-application
 * stream receives — error_stream included — is written as a JSON line
 *   {"stream": "DESTINATION_SQL_STREAM", "ROWTIME": "YYYY-MM-DD HH:MM:SS.fff", …columns}
 * in the order the engine emits them. The source is modelled as one shard per in-application
 * stream: a record without "stream" goes to the input's stream whose hash-key range holds the MD5
 * of its partition key, as Kinesis would place it with that many shards.
 */
import { createHash } from "node:crypto";
import type { ApplicationInstance, StreamSchema } from "../engine/contracts.js";
import { errorStreamName } from "../engine/contracts.js";
import { compileApplication } from "../engine/compile.js";
import { inputErrorRow } from "../engine/error-stream.js";
import { createRecordMapper, formatTimestampText, jsonText, parseReferenceObject, type RecordMapper, type SourceKind } from "../input/index.js";
import type { FunctionRegistry } from "../sql/functions/contracts.js";
import { functionRegistry } from "../sql/functions/registry.js";
import type { Column, Row, SqlCompileError } from "../sql/types.js";
import { bucketOf, inputStreamNames, ReplayConfigError, type ReplayConfig, type ReplayInput } from "./config.js";
import { ReplayRecordError, type ReplayRecord } from "./records.js";

export interface ReplayOptions {
  code: string;
  config: ReplayConfig;
  records: readonly ReplayRecord[];
  /** Reference data objects by "s3://BUCKET/KEY". */
  objects: ReadonlyMap<string, Uint8Array>;
  /** RANDOM_CUT_FOREST's seed. */
  seed?: number;
  functions?: FunctionRegistry;
}

export type ReplayOutcome = { ok: true; lines: number } | { ok: false; error: SqlCompileError };

export interface ReplayIo {
  /** One output line (without its line break). */
  line(text: string): void;
  /** A note for the person running it (stderr). */
  warn(message: string): void;
}

export const replaySeedDefault = 1;
const hashKeySpace = 2n ** 128n;

interface InputStream {
  name: string;
  mapper: RecordMapper;
  shardId: string;
  nextSequence: bigint;
}

function sourceKind(input: ReplayInput): SourceKind {
  return input.KinesisFirehoseInput !== undefined ? "firehose" : "kinesis";
}

/** Builds each input's streams; a Lambda preprocessor can't run here, which the warning says. */
function inputStreams(config: ReplayConfig, io: ReplayIo): InputStream[][] {
  return config.Inputs.map((input, inputIndex) => {
    if (input.InputProcessingConfiguration !== undefined) {
      io.warn(`Inputs[${inputIndex}]: InputProcessingConfiguration is not run by the replay; give records as the Lambda function would return them`);
    }
    let mapper: RecordMapper;
    try {
      mapper = createRecordMapper(input.InputSchema, sourceKind(input));
    } catch (error) {
      throw new ReplayConfigError(`Inputs[${inputIndex}].InputSchema: ${(error as Error).message}`, { cause: error });
    }
    return inputStreamNames(input).map((name, index) => ({
      name,
      mapper,
      shardId: `shardId-${String(index).padStart(12, "0")}`,
      nextSequence: 49_590_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n + BigInt(index) * 10n ** 30n,
    }));
  });
}

function referenceTables(config: ReplayConfig, objects: ReadonlyMap<string, Uint8Array>, io: ReplayIo): { schema: StreamSchema; rows: Row[] }[] {
  return config.ReferenceDataSources.map((reference, index) => {
    const where = `ReferenceDataSources[${index}]`;
    const location = `s3://${bucketOf(reference.S3ReferenceDataSource.BucketARN)}/${reference.S3ReferenceDataSource.FileKey}`;
    const content = objects.get(location);
    if (content === undefined) throw new ReplayConfigError(`${where}: no --object ${location}=FILE gives the reference data`);
    let load;
    try {
      load = parseReferenceObject(content, reference.ReferenceSchema);
    } catch (error) {
      throw new ReplayConfigError(`${where}.ReferenceSchema: ${(error as Error).message}`, { cause: error });
    }
    for (const problem of load.errors) io.warn(`${where}: a record of ${location} was left out: ${problem.errorName}: ${problem.message}`);
    const mapper = createRecordMapper(reference.ReferenceSchema, "none");
    return { schema: { name: reference.TableName, columns: [...mapper.columns] }, rows: load.rows };
  });
}

/** The stream a record goes to: named, or by its partition key's hash among the first input's streams. */
function streamOf(record: ReplayRecord, inputs: InputStream[][], byName: Map<string, InputStream>): InputStream {
  if (record.stream !== undefined) {
    const named = byName.get(record.stream);
    if (named === undefined) throw new ReplayRecordError(`line ${record.line}: no input stream ${record.stream} (there are ${[...byName.keys()].join(", ")})`);
    return named;
  }
  const streams = inputs[0]!;
  if (streams.length === 1) return streams[0]!;
  const hashKey = BigInt(`0x${createHash("md5").update(record.partitionKey).digest("hex")}`);
  return streams[Number((hashKey * BigInt(streams.length)) / hashKeySpace)]!;
}

function lineOf(stream: string, columns: readonly Column[] | undefined, row: Row, rowtimeMs: number): string {
  let text = `{"stream":${JSON.stringify(stream)},"ROWTIME":${JSON.stringify(formatTimestampText(rowtimeMs))}`;
  row.forEach((value, index) => {
    const column = columns?.[index];
    text += `,${JSON.stringify(column?.name ?? `COLUMN${index + 1}`)}:${jsonText(value, column?.type ?? { name: "VARCHAR" })}`;
  });
  return `${text}}`;
}

/** Runs the application over the records; throws ReplayConfigError for configuration it can't use. */
export function runReplay(options: ReplayOptions, io: ReplayIo): ReplayOutcome {
  const inputs = inputStreams(options.config, io);
  if (inputs.length === 0 && options.records.length > 0) throw new ReplayConfigError("records were given but app.json has no Inputs");
  const byName = new Map(inputs.flat().map((stream) => [stream.name, stream]));
  const references = referenceTables(options.config, options.objects, io);
  const compiled = compileApplication({
    code: options.code,
    inputs: inputs.flat().map((stream) => ({ name: stream.name, columns: [...stream.mapper.columns] })),
    references: references.map((reference) => reference.schema),
    functions: options.functions ?? functionRegistry,
    seed: options.seed ?? replaySeedDefault,
  });
  if (!compiled.ok) return { ok: false, error: compiled.error };
  const columnsOf = new Map(compiled.application.streams().map((stream) => [stream.name, stream.columns]));
  let lines = 0;
  const emit = (stream: string, row: Row, rowtimeMs: number) => {
    io.line(lineOf(stream, columnsOf.get(stream), row, rowtimeMs));
    lines += 1;
  };
  let nowMs = options.records[0]?.arrivalMs ?? 0;
  const instance: ApplicationInstance = compiled.application.start(emit, { nowMs: () => nowMs });
  for (const reference of references) instance.setReferenceTable(reference.schema.name, reference.rows);
  let watermarkMs = -Infinity;
  for (const record of options.records) {
    const stream = streamOf(record, inputs, byName);
    nowMs = record.arrivalMs;
    if (record.arrivalMs > watermarkMs) {
      watermarkMs = record.arrivalMs;
      instance.advance(watermarkMs);
    }
    const sequenceNumber = record.sequenceNumber ?? String(stream.nextSequence++);
    const mapped = stream.mapper.map(record.data, {
      approximateArrivalMs: record.approximateArrivalMs,
      partitionKey: record.partitionKey,
      sequenceNumber,
      shardId: record.shardId ?? stream.shardId,
    });
    if (mapped.ok) {
      if (mapped.rows.length > 0) instance.push(stream.name, mapped.rows, mapped.rows.map(() => record.arrivalMs));
    } else {
      emit(errorStreamName, inputErrorRow(record.data, record.arrivalMs, mapped.errorName, mapped.message, nowMs), record.arrivalMs);
    }
  }
  instance.advance(Number.POSITIVE_INFINITY);
  return { ok: true, lines };
}
