/**
 * The in-application streams and reference tables an application's configuration declares, as the
 * engine's StreamSchemas: each input's streams (NamePrefix_001 … one per InputParallelism) with its
 * schema's columns followed by the columns the service adds for the source, and each reference
 * data source's table. Compile requests (CreateApplication, UpdateApplication, the runtime) are
 * built from these.
 */
import type { StreamSchema } from "../engine/contracts.js";
import type { Column } from "../sql/types.js";
import { sqlTypes } from "../sql/types.js";
import type { SourceSchema, StoredApplication, StoredInput } from "../model.js";
import { parseColumnType } from "./column-types.js";

/** The columns the service adds to a Kinesis stream's rows (after the schema's own). */
export const kinesisSourceColumns: readonly Column[] = [
  { name: "APPROXIMATE_ARRIVAL_TIME", type: sqlTypes.timestamp },
  { name: "PARTITION_KEY", type: sqlTypes.varchar(256) },
  { name: "SEQUENCE_NUMBER", type: sqlTypes.varchar(128) },
  { name: "SHARD_ID", type: sqlTypes.varchar(64) },
];

/** A delivery stream's records have no partition key, sequence number or shard. */
export const firehoseSourceColumns: readonly Column[] = [{ name: "APPROXIMATE_ARRIVAL_TIME", type: sqlTypes.timestamp }];

export function schemaColumns(schema: SourceSchema): Column[] {
  return schema.RecordColumns.map((column) => ({ name: column.Name, type: parseColumnType(column.SqlType) ?? sqlTypes.varchar(65535) }));
}

export function sourceColumnsOf(input: StoredInput): readonly Column[] {
  return input.KinesisStreamsInput !== undefined ? kinesisSourceColumns : firehoseSourceColumns;
}

export function inputStreamNames(input: StoredInput): string[] {
  return Array.from({ length: input.InputParallelism.Count }, (_, index) => `${input.NamePrefix}_${String(index + 1).padStart(3, "0")}`);
}

export function inputStreamSchemas(application: Pick<StoredApplication, "inputs">): StreamSchema[] {
  return application.inputs.flatMap((input) => {
    const columns = [...schemaColumns(input.InputSchema), ...sourceColumnsOf(input)];
    return inputStreamNames(input).map((name) => ({ name, columns }));
  });
}

export function referenceSchemas(application: Pick<StoredApplication, "references">): StreamSchema[] {
  return application.references.map((reference) => ({ name: reference.TableName, columns: schemaColumns(reference.ReferenceSchema) }));
}
