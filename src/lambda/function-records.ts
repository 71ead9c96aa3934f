/**
 * What the Lambda service stores for a function (function-store.ts keeps it in ServiceTables
 * tables) and how a stored version becomes Lambda's FunctionConfiguration document.
 *
 * A function item holds `$LATEST`'s configuration, its tags, reserved concurrency, aliases and the
 * last published version number; each published version is an item of its own, immutable once
 * written. State transitions (Pending → Active after a creation, LastUpdateStatus InProgress →
 * Successful after an update) are derived from the clock at read time: a change settles
 * `settleMs` after it was made, and its RevisionId changes when it settles, as Lambda's does.
 */
import { lambdaErrors } from "./errors.js";
import type { CodeRef } from "./model.js";

/** How long a creation stays Pending and an update InProgress. */
export const settleMs = 50;

export interface StoredLayer {
  readonly Arn: string;
  readonly CodeSize: number;
  readonly code: CodeRef;
}

export interface LoggingConfig {
  LogFormat: "Text" | "JSON";
  LogGroup: string;
  ApplicationLogLevel?: string;
  SystemLogLevel?: string;
}

/** The configuration of `$LATEST` or of a published version. */
export interface VersionRecord {
  readonly FunctionName: string;
  readonly Version: string;
  readonly Runtime: string;
  readonly Role: string;
  readonly Handler: string;
  readonly Description: string;
  readonly Timeout: number;
  readonly MemorySize: number;
  /** Absent when the function has none (Lambda then omits Environment). */
  readonly Environment?: Readonly<Record<string, string>>;
  readonly Layers: readonly StoredLayer[];
  readonly Architectures: readonly ("x86_64" | "arm64")[];
  readonly EphemeralStorageSize: number;
  readonly LoggingConfig: LoggingConfig;
  readonly TracingMode: "PassThrough" | "Active";
  readonly code: CodeRef;
  readonly lastModifiedMs: number;
  /** The RevisionId while the change is settling, and after. */
  readonly pendingRevisionId: string;
  readonly revisionId: string;
  readonly settlesAtMs: number;
  /** What is settling: a creation (State Pending) or an update (LastUpdateStatus InProgress). */
  readonly change: "create" | "update";
}

export interface AliasRecord {
  readonly Name: string;
  readonly FunctionVersion: string;
  readonly Description: string;
  readonly RoutingConfig?: { AdditionalVersionWeights: Readonly<Record<string, number>> };
  readonly RevisionId: string;
}

export interface FunctionItem {
  readonly name: string;
  readonly latest: VersionRecord;
  /** The highest version number published (0: none); numbers are never reused. */
  readonly lastVersion: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly reservedConcurrency?: number;
  readonly aliases: Readonly<Record<string, AliasRecord>>;
}

export interface LayerVersionRecord {
  readonly LayerName: string;
  readonly Version: number;
  readonly Description: string;
  readonly CompatibleRuntimes?: readonly string[];
  readonly CompatibleArchitectures?: readonly string[];
  readonly LicenseInfo?: string;
  readonly createdMs: number;
  readonly code: CodeRef;
}

/** The code store keys a function version names: its package and its layers' archives. */
export function codeKeysOf(record: VersionRecord): string[] {
  return [record.code.objectKey, ...record.Layers.map((layer) => layer.code.objectKey)];
}

/** Lambda's timestamp format: `2026-12-07T01:02:03.456+0000`. */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

/** What a change of `$LATEST` is still settling at `nowMs`: a creation (Pending), an update (InProgress), or nothing. */
export function settling(record: VersionRecord, nowMs: number): "Pending" | "InProgress" | undefined {
  if (nowMs >= record.settlesAtMs) return undefined;
  return record.change === "create" ? "Pending" : "InProgress";
}

/**
 * Lambda refuses to change a function (UpdateFunctionCode, UpdateFunctionConfiguration,
 * PublishVersion) while its creation is Pending or its last update InProgress, with
 * ResourceConflictException: clients wait (function-active-v2, function-updated-v2) first.
 */
export function checkChangeable(record: VersionRecord, functionArn: string, nowMs: number): void {
  const state = settling(record, nowMs);
  if (state === "Pending") throw lambdaErrors.functionNotActive(state);
  if (state === "InProgress") throw lambdaErrors.updateInProgress(functionArn);
}

export function currentRevisionId(record: VersionRecord, nowMs: number): string {
  return nowMs < record.settlesAtMs ? record.pendingRevisionId : record.revisionId;
}

/** The FunctionConfiguration document of a stored version (`arn` is the function's unqualified ARN). */
export function functionConfiguration(record: VersionRecord, functionArn: string, region: string, nowMs: number): Record<string, unknown> {
  const settling = nowMs < record.settlesAtMs;
  const config: Record<string, unknown> = {
    FunctionName: record.FunctionName,
    FunctionArn: record.Version === "$LATEST" ? functionArn : `${functionArn}:${record.Version}`,
    Runtime: record.Runtime,
    Role: record.Role,
    Handler: record.Handler,
    CodeSize: record.code.sizeBytes,
    Description: record.Description,
    Timeout: record.Timeout,
    MemorySize: record.MemorySize,
    LastModified: lambdaTimestamp(record.lastModifiedMs),
    CodeSha256: record.code.sha256Base64,
    Version: record.Version,
    ...(record.Environment !== undefined && { Environment: { Variables: { ...record.Environment } } }),
    TracingConfig: { Mode: record.TracingMode },
    RevisionId: settling ? record.pendingRevisionId : record.revisionId,
    ...(record.Layers.length > 0 && { Layers: record.Layers.map((layer) => ({ Arn: layer.Arn, CodeSize: layer.CodeSize })) }),
    PackageType: "Zip",
    Architectures: [...record.Architectures],
    EphemeralStorage: { Size: record.EphemeralStorageSize },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    RuntimeVersionConfig: { RuntimeVersionArn: `arn:aws:lambda:${region}::runtime:${runtimeVersionIdOf(record.Runtime)}` },
    LoggingConfig: { ...record.LoggingConfig },
  };
  if (settling && record.change === "create") {
    Object.assign(config, { State: "Pending", StateReason: "The function is being created.", StateReasonCode: "Creating" });
  } else {
    config.State = "Active";
  }
  if (settling && record.change === "update") {
    Object.assign(config, { LastUpdateStatus: "InProgress", LastUpdateStatusReason: "The function is being created.", LastUpdateStatusReasonCode: "Creating" });
  } else if (!settling) {
    config.LastUpdateStatus = "Successful";
  }
  return config;
}

/** A stable stand-in for the runtime version's id (Lambda's is a SHA-256 of the runtime build). */
function runtimeVersionIdOf(runtime: string): string {
  let hash = 0x811c9dc5;
  for (const char of runtime) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0").repeat(8);
}

export function aliasConfiguration(alias: AliasRecord, functionArn: string): Record<string, unknown> {
  return {
    AliasArn: `${functionArn}:${alias.Name}`,
    Name: alias.Name,
    FunctionVersion: alias.FunctionVersion,
    Description: alias.Description,
    ...(alias.RoutingConfig !== undefined && { RoutingConfig: { AdditionalVersionWeights: { ...alias.RoutingConfig.AdditionalVersionWeights } } }),
    RevisionId: alias.RevisionId,
  };
}

export function layerVersionDocument(layer: LayerVersionRecord, layerArn: string, codeLocation: string): Record<string, unknown> {
  return {
    Content: { Location: codeLocation, CodeSha256: layer.code.sha256Base64, CodeSize: layer.code.sizeBytes },
    LayerArn: layerArn,
    LayerVersionArn: `${layerArn}:${layer.Version}`,
    Description: layer.Description,
    CreatedDate: lambdaTimestamp(layer.createdMs),
    Version: layer.Version,
    ...(layer.CompatibleRuntimes !== undefined && { CompatibleRuntimes: [...layer.CompatibleRuntimes] }),
    ...(layer.LicenseInfo !== undefined && { LicenseInfo: layer.LicenseInfo }),
    ...(layer.CompatibleArchitectures !== undefined && { CompatibleArchitectures: [...layer.CompatibleArchitectures] }),
  };
}

/** ListLayerVersions' and ListLayers' LayerVersionsListItem. */
export function layerVersionListItem(layer: LayerVersionRecord, layerArn: string): Record<string, unknown> {
  const { Content: _content, LayerArn: _arn, ...item } = layerVersionDocument(layer, layerArn, "");
  return item;
}
