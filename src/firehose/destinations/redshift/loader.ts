/**
 * Loads rows into PostgreSQL as Redshift's COPY would into the cluster: one connection and one
 * transaction per batch — BEGIN, the table's columns read from information_schema, the rows
 * streamed through `COPY table (columns) FROM STDIN` (pg-copy-streams) in PostgreSQL's text
 * format, COMMIT — so a batch loads whole or not at all, as a Redshift COPY is atomic.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import pgCopyStreams from "pg-copy-streams";
import type { PostgresAddress } from "./jdbc-url.js";
import type { ColumnInfo } from "./values.js";

/** Connection deadline against the database (wall time against a peer). */
export const connectTimeoutMs = 30_000;

export interface Credentials {
  readonly user?: string;
  readonly password?: string;
}

/** `schema.table` or `table`, quoted for SQL: unquoted parts fold to lower case, as Redshift's do. */
export function quoteName(name: string): string {
  const parts = name.match(/"(?:[^"]|"")*"|[^.]+/g) ?? [name];
  return parts.map((part) => (part.startsWith('"') ? part : `"${part.toLowerCase().replaceAll('"', '""')}"`)).join(".");
}

function unquote(part: string): string {
  return part.startsWith('"') ? part.slice(1, -1).replaceAll('""', '"') : part.toLowerCase();
}

export type LoadOutcome = { ok: true; rowCount: number } | { ok: false; errorCode: string; errorMessage: string };

export interface LoadInput {
  readonly address: PostgresAddress;
  readonly credentials: Credentials;
  readonly tableName: string;
  /** DataTableColumns split, or undefined for all of the table's columns in order. */
  readonly columns: readonly string[] | undefined;
  /** Turns the table's column information into the COPY text lines, or a load error. */
  readonly encode: (columns: readonly ColumnInfo[]) => { ok: true; lines: string[] } | { ok: false; message: string };
}

async function tableColumns(client: pg.Client, tableName: string): Promise<ColumnInfo[]> {
  const parts = (tableName.match(/"(?:[^"]|"")*"|[^.]+/g) ?? [tableName]).map(unquote);
  const table = parts[parts.length - 1]!;
  const schema = parts.length > 1 ? parts[parts.length - 2]! : null;
  const result = await client.query<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
    `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns
      WHERE table_name = $1 AND table_schema = COALESCE($2, current_schema()) ORDER BY ordinal_position`,
    [table, schema],
  );
  return result.rows.map((row) => ({ name: row.column_name, dataType: row.data_type, characterLengthMax: row.character_maximum_length }));
}

export async function loadRows(input: LoadInput): Promise<LoadOutcome> {
  const client = new pg.Client({
    host: input.address.host,
    port: input.address.port,
    database: input.address.database,
    ...(input.credentials.user !== undefined ? { user: input.credentials.user } : {}),
    ...(input.credentials.password !== undefined ? { password: input.credentials.password } : {}),
    connectionTimeoutMillis: connectTimeoutMs,
  });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    return { ok: false, errorCode: "Redshift.ConnectionFailed", errorMessage: `Could not connect to the database at ${input.address.host}:${input.address.port}/${input.address.database}: ${(error as Error).message}` };
  }
  try {
    await client.query("BEGIN");
    const known = await tableColumns(client, input.tableName);
    if (known.length === 0) {
      await client.query("ROLLBACK");
      return { ok: false, errorCode: "Redshift.TableNotFound", errorMessage: `The table ${input.tableName} does not exist.` };
    }
    const byName = new Map(known.map((column) => [column.name, column]));
    const columns: ColumnInfo[] = [];
    for (const name of input.columns ?? known.map((column) => column.name)) {
      const column = byName.get(unquote(name.trim()));
      if (column === undefined) {
        await client.query("ROLLBACK");
        return { ok: false, errorCode: "Redshift.ColumnNotFound", errorMessage: `The column ${name.trim()} does not exist in table ${input.tableName}.` };
      }
      columns.push(column);
    }
    const encoded = input.encode(columns);
    if (!encoded.ok) {
      await client.query("ROLLBACK");
      return { ok: false, errorCode: "Redshift.LoadFailed", errorMessage: encoded.message };
    }
    const columnList = columns.map((column) => `"${column.name.replaceAll('"', '""')}"`).join(", ");
    const copy = client.query(pgCopyStreams.from(`COPY ${quoteName(input.tableName)} (${columnList}) FROM STDIN`));
    await pipeline(Readable.from(encoded.lines), copy);
    await client.query("COMMIT");
    return { ok: true, rowCount: encoded.lines.length };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    return { ok: false, errorCode: "Redshift.LoadFailed", errorMessage: (error as Error).message };
  } finally {
    await client.end().catch(() => {});
  }
}
