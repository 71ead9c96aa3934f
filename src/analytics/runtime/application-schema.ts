/**
 * The in-application streams and reference tables an application's configuration declares, as the
 * engine's StreamSchemas: each input's streams (NamePrefix_001 … one per InputParallelism) with its
 * schema's columns followed by the columns the service adds for the source (the input mapper's,
 * src/analytics/input/record-mapper.ts), and each reference data source's table. Compile requests
 * (CreateApplication, UpdateApplication, the runtime) are built from these.
 */
import type { StreamSchema } from "../engine/contracts.js";
import type { Column } from "../sql/types.js";
import { sqlTypes } from "../sql/types.js";
import type { SourceSchema, StoredApplication, StoredInput } from "../model.js";
import { columnType, sourceColumns, type SourceKind } from "../input/record-mapper.js";

export function schemaColumns(schema: SourceSchema): Column[] {
  return schema.RecordColumns.map((column) => {
    try {
      return { name: column.Name, type: columnType(column.SqlType, column.Name) };
    } catch {
      // Checked when the schema was accepted (actions/configuration.ts); never reached for a stored one.
      return { name: column.Name, type: sqlTypes.varchar(65535) };
    }
  });
}

export function sourceKindOf(input: StoredInput): SourceKind {
  return input.KinesisStreamsInput !== undefined ? "kinesis" : "firehose";
}

export function inputStreamNames(input: Pick<StoredInput, "NamePrefix" | "InputParallelism">): string[] {
  return Array.from({ length: input.InputParallelism.Count }, (_, index) => `${input.NamePrefix}_${String(index + 1).padStart(3, "0")}`);
}

export function inputStreamSchemas(application: Pick<StoredApplication, "inputs">): StreamSchema[] {
  return application.inputs.flatMap((input) => {
    const columns = [...schemaColumns(input.InputSchema), ...sourceColumns(sourceKindOf(input))];
    return inputStreamNames(input).map((name) => ({ name, columns }));
  });
}

export function referenceSchemas(application: Pick<StoredApplication, "references">): StreamSchema[] {
  return application.references.map((reference) => ({ name: reference.TableName, columns: schemaColumns(reference.ReferenceSchema) }));
}
