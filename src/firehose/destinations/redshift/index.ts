/**
 * The Redshift destination, served by PostgreSQL (docs/firehose.md, Destinations). As Firehose does,
 * each batch is first written to the intermediate bucket (S3Configuration: `<Prefix>YYYY/MM/DD/HH/
 * <stream>-<version>-<time>-<uuid>`, GZIP if its CompressionFormat says so) with a COPY manifest
 * beside it (`<Prefix>manifests/YYYY/MM/DD/HH/…`), then loaded from that object: read back through
 * the object client, decompressed (GZIP), turned into rows by the COPY options and streamed into
 * the table with `COPY … FROM STDIN` in one transaction. A failed load is retried until
 * RetryOptions.DurationInSeconds (default 3600) has passed since the first attempt; then the batch
 * is skipped and its manifest written to `errors/manifests/YYYY/MM/DD/HH/…` for a manual backfill.
 *
 * @example
 *   const destination = createRedshiftDestination(config.RedshiftDestinationConfiguration, deps);
 *   await destination.deliver(batch); // rows in the table, or the manifest under errors/manifests/
 */
import { gunzipSync } from "node:zlib";
import type { DeliveryBatch, DeliveryOutcome } from "../../delivery/contracts.js";
import { writeObject, type S3Configuration } from "../common/backup.js";
import type { ConfigurationProblem, DestinationDeps } from "../common/deps.js";
import type { FirehoseDestination } from "../common/destination.js";
import { retryUntilDuration } from "../common/retry.js";
import { bucketOfArn, hourPath, objectName, uuidFrom } from "../common/s3-keys.js";
import { parseCopyOptions, type CopyPlan } from "./copy-options.js";
import { parseJdbcUrl, type PostgresAddress } from "./jdbc-url.js";
import { loadRows } from "./loader.js";
import { rowsOf } from "./rows.js";
import { columnValue, encodeRow } from "./values.js";

export const redshiftRetryDurationSecondsDefault = 3600;

export interface RedshiftDestinationConfiguration {
  readonly RoleARN?: string;
  readonly ClusterJDBCURL: string;
  readonly CopyCommand: { readonly DataTableName: string; readonly DataTableColumns?: string; readonly CopyOptions?: string };
  readonly Username?: string;
  readonly Password?: string;
  readonly RetryOptions?: { readonly DurationInSeconds?: number };
  readonly S3Configuration: S3Configuration;
  readonly S3BackupMode?: "Disabled" | "Enabled";
  readonly S3BackupConfiguration?: S3Configuration;
  readonly ProcessingConfiguration?: unknown;
  readonly SecretsManagerConfiguration?: { readonly Enabled?: boolean; readonly SecretARN?: string };
}

const intermediateCompressions = new Set([undefined, "UNCOMPRESSED", "GZIP"]);

/** What CreateDeliveryStream/UpdateDestination refuse beyond the model's shapes. */
export function validateRedshiftConfiguration(config: RedshiftDestinationConfiguration): ConfigurationProblem | undefined {
  if (parseJdbcUrl(config.ClusterJDBCURL) === undefined) return { message: `ClusterJDBCURL ${config.ClusterJDBCURL} is not a jdbc:redshift:// or jdbc:postgresql:// URL with a host, port and database.` };
  if (!intermediateCompressions.has(config.S3Configuration.CompressionFormat)) {
    return { message: `Compression format ${config.S3Configuration.CompressionFormat} is not supported for the Redshift destination's S3 configuration; use UNCOMPRESSED or GZIP.` };
  }
  if (config.SecretsManagerConfiguration?.Enabled === true) return { message: "SecretsManagerConfiguration is not supported here: give Username and Password." };
  if (config.Password === undefined) return { message: "Redshift Database Password is required for Redshift Destination" };
  if (config.Username === undefined) return { message: "Username and Password are required when SecretsManagerConfiguration is not enabled." };
  if (config.S3BackupMode === "Enabled" && config.S3BackupConfiguration === undefined) return { message: "S3BackupConfiguration is required when S3BackupMode is Enabled." };
  const parsed = parseCopyOptions(config.CopyCommand.CopyOptions);
  return parsed.ok ? undefined : { message: parsed.message };
}

async function readObject(deps: DestinationDeps, url: string): Promise<{ ok: true; body: Buffer } | { ok: false; message: string }> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (match === null) return { ok: false, message: `${url} is not an s3:// URL.` };
  const got = await deps.objectClient.getObject({ Bucket: match[1]!, Key: match[2]! });
  if (!got.ok) return { ok: false, message: `Could not read ${url}: ${got.code} ${got.message}` };
  const chunks: Buffer[] = [];
  for await (const chunk of got.body) chunks.push(chunk);
  return { ok: true, body: Buffer.concat(chunks) };
}

function decodeText(bytes: Buffer, plan: CopyPlan): { ok: true; text: string } | { ok: false; message: string } {
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    if (plan.acceptInvalidCharsAs === undefined) return { ok: false, message: "String contains invalid or unsupported UTF8 codepoints (ACCEPTINVCHARS replaces them)." };
    return { ok: true, text: new TextDecoder("utf-8").decode(bytes).replaceAll("\uFFFD", plan.acceptInvalidCharsAs) };
  }
}

type Attempt = { ok: true } | { ok: false; errorCode: string; errorMessage: string; retriable: boolean };

export function createRedshiftDestination(config: RedshiftDestinationConfiguration, deps: DestinationDeps): FirehoseDestination {
  const retryDurationSeconds = config.RetryOptions?.DurationInSeconds ?? redshiftRetryDurationSecondsDefault;
  const parsed = parseCopyOptions(config.CopyCommand.CopyOptions);
  const address: PostgresAddress | undefined = parseJdbcUrl(config.ClusterJDBCURL);
  const columns = config.CopyCommand.DataTableColumns?.split(",").filter((column) => column.trim() !== "");
  const s3 = config.S3Configuration;
  const gzipIntermediate = s3.CompressionFormat === "GZIP";
  const closing = new AbortController();

  async function load(objectUrl: string): Promise<Attempt> {
    if (!parsed.ok) return { ok: false, errorCode: "Redshift.UnsupportedCopyOptions", errorMessage: parsed.message, retriable: false };
    if (address === undefined) return { ok: false, errorCode: "Redshift.InvalidJDBCURL", errorMessage: `ClusterJDBCURL ${config.ClusterJDBCURL} cannot be read.`, retriable: false };
    const plan = parsed.plan;
    const object = await readObject(deps, objectUrl);
    if (!object.ok) return { ok: false, errorCode: "S3.ReadFailed", errorMessage: object.message, retriable: true };
    let bytes = object.body;
    if (plan.gzip) {
      try {
        bytes = gunzipSync(bytes);
      } catch (error) {
        return { ok: false, errorCode: "Redshift.LoadFailed", errorMessage: `GZIP: ${(error as Error).message}`, retriable: true };
      }
    }
    const text = decodeText(bytes, plan);
    if (!text.ok) return { ok: false, errorCode: "Redshift.LoadFailed", errorMessage: text.message, retriable: true };
    let jsonPaths: string[] | undefined;
    if (plan.format.kind === "jsonpaths") {
      const file = await readObject(deps, plan.format.url);
      if (!file.ok) return { ok: false, errorCode: "Redshift.JsonPathsFileNotFound", errorMessage: file.message, retriable: true };
      try {
        const document = JSON.parse(file.body.toString("utf8")) as { jsonpaths?: unknown };
        if (!Array.isArray(document.jsonpaths) || !document.jsonpaths.every((path) => typeof path === "string")) throw new Error("no jsonpaths array of strings");
        jsonPaths = document.jsonpaths as string[];
      } catch (error) {
        return { ok: false, errorCode: "Redshift.InvalidJsonPathsFile", errorMessage: `Invalid JSONPaths file ${plan.format.url}: ${(error as Error).message}`, retriable: true };
      }
    }
    const loaded = await loadRows({
      address,
      credentials: { ...(config.Username !== undefined ? { user: config.Username } : {}), ...(config.Password !== undefined ? { password: config.Password } : {}) },
      tableName: config.CopyCommand.DataTableName,
      columns,
      encode: (tableColumns) => {
        if (jsonPaths !== undefined && jsonPaths.length !== tableColumns.length) {
          return { ok: false, message: `The JSONPaths file has ${jsonPaths.length} expressions for ${tableColumns.length} columns.` };
        }
        const rows = rowsOf(text.text, plan, tableColumns.map((column) => column.name), jsonPaths);
        if (!rows.ok) return rows;
        const defaultNull = plan.format.kind === "delimited" ? "\\N" : undefined;
        const lines: string[] = [];
        for (const [index, row] of rows.rows.entries()) {
          if (row.length > tableColumns.length || (row.length < tableColumns.length && !plan.fillRecord)) {
            return { ok: false, message: `Line ${index + 1 + plan.ignoreHeaderLines}: ${row.length < tableColumns.length ? "Delimiter not found" : "Extra column(s) found"} (${row.length} fields for ${tableColumns.length} columns).` };
          }
          const values: (string | null)[] = [];
          for (const [at, column] of tableColumns.entries()) {
            const value = columnValue(row[at] ?? null, column, plan, defaultNull);
            if (!value.ok) return value;
            values.push(value.value);
          }
          lines.push(encodeRow(values));
        }
        return { ok: true, lines };
      },
    });
    return loaded.ok ? { ok: true } : { ...loaded, retriable: true };
  }

  async function writeIntermediate(batch: DeliveryBatch): Promise<{ ok: true; objectUrl: string; manifestKey: string; manifest: Buffer; name: string } | { ok: false; errorCode: string; errorMessage: string }> {
    const name = objectName(batch.deliveryStreamName, batch.deliveryStreamVersion, batch.firstArrivalMs, uuidFrom(deps.random));
    const key = `${s3.Prefix ?? ""}${hourPath(batch.firstArrivalMs)}${name}${gzipIntermediate ? ".gz" : ""}`;
    const written = await writeObject(deps, s3.BucketARN, key, Buffer.concat(batch.records.map((record) => record.data)), gzipIntermediate);
    if (!written.ok) return written;
    const objectUrl = `s3://${bucketOfArn(s3.BucketARN)}/${key}`;
    const manifest = Buffer.from(JSON.stringify({ entries: [{ url: objectUrl, mandatory: true }] }));
    const manifestKey = `${s3.Prefix ?? ""}manifests/${hourPath(batch.firstArrivalMs)}${name}`;
    const manifestWritten = await writeObject(deps, s3.BucketARN, manifestKey, manifest);
    if (!manifestWritten.ok) return manifestWritten;
    return { ok: true, objectUrl, manifestKey, manifest, name };
  }

  async function attempt(batch: DeliveryBatch): Promise<DeliveryOutcome> {
    const intermediate = await writeIntermediate(batch);
    if (!intermediate.ok) return { ok: false, retriable: true, errorCode: intermediate.errorCode, errorMessage: intermediate.errorMessage };
    const loaded = await load(intermediate.objectUrl);
    return loaded.ok ? { ok: true } : { ok: false, retriable: loaded.retriable, errorCode: loaded.errorCode, errorMessage: loaded.errorMessage };
  }

  async function deliver(batch: DeliveryBatch): Promise<DeliveryOutcome> {
    if (batch.records.length === 0) return { ok: true };
    const intermediate = await writeIntermediate(batch);
    // Firehose keeps retrying its own S3 writes: the engine tries the batch again later.
    if (!intermediate.ok) return { ok: false, retriable: true, errorCode: intermediate.errorCode, errorMessage: intermediate.errorMessage };
    const state: { last: Attempt } = { last: { ok: true } };
    await retryUntilDuration({
      clock: deps.clock,
      durationSeconds: retryDurationSeconds,
      items: [batch.batchId],
      signal: closing.signal,
      attempt: async (pending) => {
        const last = await load(intermediate.objectUrl);
        state.last = last;
        if (last.ok || !last.retriable) return { failed: [] };
        deps.logger.warn({ deliveryStreamName: deps.deliveryStreamName, errorCode: last.errorCode, errorMessage: last.errorMessage }, "firehose redshift load failed");
        return { failed: pending.map((item) => ({ item, errorCode: last.errorCode, errorMessage: last.errorMessage })) };
      },
    });
    const last = state.last;
    if (last.ok) return { ok: true };
    if (closing.signal.aborted) return { ok: false, retriable: true, errorCode: last.errorCode, errorMessage: `${last.errorMessage} (the destination closed while retrying)` };
    const errorKey = `errors/manifests/${hourPath(batch.firstArrivalMs)}${intermediate.name}`;
    const written = await writeObject(deps, s3.BucketARN, errorKey, intermediate.manifest);
    if (!written.ok) return { ok: false, retriable: true, errorCode: written.errorCode, errorMessage: written.errorMessage, failedRecordIds: batch.records.map((record) => record.recordId) };
    deps.logger.warn({ deliveryStreamName: deps.deliveryStreamName, errorCode: last.errorCode, manifest: errorKey }, "firehose redshift batch skipped to errors/manifests");
    return { ok: true };
  }

  return {
    retryDurationSeconds,
    attempt,
    deliver,
    close: async () => closing.abort(),
  };
}
