/**
 * Applies a provisioning document (init-file.ts) before the server listens: every entry is a
 * request run through its service's own `invoke` — the shape check and action a wire request
 * goes through — as the configured account, so a bad entry stops the start with AWS's error for
 * that request, named by its place in the file (`streams[1] (CreateStream): ValidationException: …`).
 *
 * Idempotent, so a restart with the same file neither fails nor duplicates:
 * - a stream that exists is left as it is; if its mode or open shard count differs from the
 *   entry, a warning says so (as AWS would refuse a second CreateStream rather than reshard).
 *   Its entry's Tags are applied (AddTagsToStream) so they hold after the restart too;
 * - a consumer or table that exists is kept (a table whose key schema differs is warned about);
 * - one still DELETING from before is waited out and created again.
 * Streams, consumers and tables are waited for until ACTIVE (DescribeStreamSummary,
 * DescribeStreamConsumer, DescribeTable), so the server reports ready only with all of them usable.
 *
 * The waits are real time (the state changes when the injected clock passes its due time); a run
 * with a clock that does not move gives up after `waitMsMax` with an error saying what it waited for.
 */
import type { AwsService } from "../protocol/aws-service.js";
import { ServiceError } from "../protocol/service-error.js";
import { streamArn } from "../core/arn.js";
import type { Logger } from "../util/logger.js";
import { InitError, type InitDocument } from "./init-file.js";
import { systemClock } from "../util/clock.js";

export interface ProvisionDeps {
  streams: AwsService;
  dynamoDb: AwsService;
  region: string;
  accountId: string;
  logger: Logger;
  /** Longest wait for one resource to become ACTIVE (or a DELETING one to go), or for a call rate to admit a call. */
  waitMsMax: number;
  /** Waits `ms` of real time; injected so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ProvisionSummary {
  streamsCreated: number;
  streamsExisting: number;
  consumersRegistered: number;
  tablesCreated: number;
  tablesExisting: number;
}

/** How often a waiting provisioner asks again; status transitions are applied on read, so this is the only latency added. */
const pollMs = 25;
/** AWS allows five consumers in CREATING per account; registrations beyond wait for earlier ones. */
const consumersCreatingMax = 5;

/** Real time even when the services run on a ManualClock: a clock that does not move makes the wait give up (see above). */
const realSleep = (ms: number) => systemClock.sleep(ms);

export async function provision(document: InitDocument, deps: ProvisionDeps): Promise<ProvisionSummary> {
  const run = new Provisioner(deps);
  const summary: ProvisionSummary = { streamsCreated: 0, streamsExisting: 0, consumersRegistered: 0, tablesCreated: 0, tablesExisting: 0 };
  const existing: number[] = [];
  for (const [index, entry] of document.streams.entries()) {
    const created = await run.ensureStream(entry, `streams[${index}]`);
    if (created) summary.streamsCreated++;
    else existing.push(index);
  }
  summary.streamsExisting = existing.length;
  for (const [index, entry] of document.streams.entries()) await run.untilStreamActive(String(entry.StreamName), `streams[${index}]`);
  for (const index of existing) await run.applyTags(document.streams[index]!, `streams[${index}]`);
  for (const [index, entry] of document.streams.entries()) summary.consumersRegistered += await run.ensureConsumers(entry, `streams[${index}]`);
  await run.untilConsumersActive();
  for (const [index, entry] of document.tables.entries()) {
    if (await run.ensureTable(entry, `tables[${index}]`)) summary.tablesCreated++;
    else summary.tablesExisting++;
  }
  for (const [index, entry] of document.tables.entries()) await run.untilTableActive(String(entry.TableName), `tables[${index}]`);
  return summary;
}

type Output = Record<string, unknown> | undefined;

class Provisioner {
  private readonly sleep: (ms: number) => Promise<void>;
  /** Consumers registered and not yet seen ACTIVE: [stream name, consumer name, where]. */
  private pendingConsumers: Array<[string, string, string]> = [];

  constructor(private readonly deps: ProvisionDeps) {
    this.sleep = deps.sleep ?? realSleep;
  }

  /** Creates the stream; false if it already existed (checked against the entry, which is not applied). */
  async ensureStream(entry: Record<string, unknown>, where: string): Promise<boolean> {
    const { Consumers: _consumers, ...request } = entry;
    const name = String(entry.StreamName);
    for (let waitedMs = 0; ; waitedMs += pollMs) {
      try {
        await this.call(this.deps.streams, "CreateStream", request, where);
        return true;
      } catch (error) {
        if (!isType(error, "ResourceInUseException")) throw this.named(error, "CreateStream", where);
      }
      const summary = await this.describeStream(name, where);
      if (summary === undefined || summary.StreamStatus === "DELETING") {
        // Deleted before this start and not gone yet, or gone just now: create it again.
        await this.waitStep(waitedMs, where, `stream ${name} to finish deleting`);
        continue;
      }
      this.compareStream(entry, summary, where);
      return false;
    }
  }

  async untilStreamActive(name: string, where: string): Promise<void> {
    for (let waitedMs = 0; ; waitedMs += pollMs) {
      const summary = await this.describeStream(name, where);
      if (summary?.StreamStatus === "ACTIVE") return;
      await this.waitStep(waitedMs, where, `stream ${name} to become ACTIVE (it is ${String(summary?.StreamStatus ?? "gone")})`);
    }
  }

  /** The entry's Tags on a stream that existed before this start: AddTagsToStream replaces values, keeps other tags. */
  async applyTags(entry: Record<string, unknown>, where: string): Promise<void> {
    if (entry.Tags === undefined) return;
    await this.call(this.deps.streams, "AddTagsToStream", { StreamName: entry.StreamName, Tags: entry.Tags }, where).catch((error: unknown) => {
      throw this.named(error, "AddTagsToStream", where);
    });
  }

  /** Registers the entry's consumers not registered yet; returns how many it registered. */
  async ensureConsumers(entry: Record<string, unknown>, where: string): Promise<number> {
    if (entry.Consumers === undefined) return 0;
    if (!Array.isArray(entry.Consumers)) throw new InitError(`${where}.Consumers must be a list of consumer names`);
    const streamName = String(entry.StreamName);
    let registered = 0;
    for (const [index, consumerName] of entry.Consumers.entries()) {
      const consumerWhere = `${where}.Consumers[${index}]`;
      if (this.pendingConsumers.length >= consumersCreatingMax) await this.untilConsumersActive();
      if (await this.ensureConsumer(streamName, consumerName, consumerWhere)) registered++;
    }
    return registered;
  }

  private async ensureConsumer(streamName: string, consumerName: unknown, where: string): Promise<boolean> {
    const request = { StreamARN: streamArn(this.deps.region, this.deps.accountId, streamName), ConsumerName: consumerName };
    for (let waitedMs = 0; ; waitedMs += pollMs) {
      try {
        await this.call(this.deps.streams, "RegisterStreamConsumer", request, where);
        this.pendingConsumers.push([streamName, String(consumerName), where]);
        return true;
      } catch (error) {
        if (!isType(error, "ResourceInUseException")) throw this.named(error, "RegisterStreamConsumer", where);
      }
      const status = await this.consumerStatus(streamName, String(consumerName), where);
      if (status !== undefined && status !== "DELETING") {
        if (status !== "ACTIVE") this.pendingConsumers.push([streamName, String(consumerName), where]);
        return false;
      }
      await this.waitStep(waitedMs, where, `consumer ${String(consumerName)} to finish deregistering`);
    }
  }

  async untilConsumersActive(): Promise<void> {
    for (const [streamName, consumerName, where] of this.pendingConsumers) {
      for (let waitedMs = 0; ; waitedMs += pollMs) {
        const status = await this.consumerStatus(streamName, consumerName, where);
        if (status === "ACTIVE") break;
        await this.waitStep(waitedMs, where, `consumer ${consumerName} to become ACTIVE (it is ${status ?? "gone"})`);
      }
    }
    this.pendingConsumers = [];
  }

  /** Creates the table; false if it already existed. */
  async ensureTable(entry: Record<string, unknown>, where: string): Promise<boolean> {
    const name = String(entry.TableName);
    for (let waitedMs = 0; ; waitedMs += pollMs) {
      try {
        await this.call(this.deps.dynamoDb, "CreateTable", entry, where);
        return true;
      } catch (error) {
        if (!isType(error, "ResourceInUseException")) throw this.named(error, "CreateTable", where);
      }
      const table = await this.describeTable(name, where);
      if (table !== undefined && table.TableStatus !== "DELETING") {
        if (JSON.stringify(keySchemaPairs(table.KeySchema)) !== JSON.stringify(keySchemaPairs(entry.KeySchema))) {
          this.deps.logger.warn({ table: name, entry: where }, "init: the table exists with another key schema; left as it is");
        }
        return false;
      }
      await this.waitStep(waitedMs, where, `table ${name} to finish deleting`);
    }
  }

  async untilTableActive(name: string, where: string): Promise<void> {
    for (let waitedMs = 0; ; waitedMs += pollMs) {
      const table = await this.describeTable(name, where);
      if (table?.TableStatus === "ACTIVE") return;
      await this.waitStep(waitedMs, where, `table ${name} to become ACTIVE (it is ${String(table?.TableStatus ?? "gone")})`);
    }
  }

  private compareStream(entry: Record<string, unknown>, summary: Record<string, unknown>, where: string): void {
    const modeDetails = entry.StreamModeDetails as { StreamMode?: unknown } | undefined;
    const mode = modeDetails?.StreamMode ?? (entry.ShardCount === undefined ? "ON_DEMAND" : "PROVISIONED");
    const existingMode = (summary.StreamModeDetails as { StreamMode?: unknown } | undefined)?.StreamMode;
    const stream = String(entry.StreamName);
    if (existingMode !== mode) {
      this.deps.logger.warn({ stream, entry: where, mode: existingMode, fileMode: mode }, "init: the stream exists in another capacity mode; left as it is");
    } else if (mode === "PROVISIONED" && summary.OpenShardCount !== entry.ShardCount) {
      this.deps.logger.warn(
        { stream, entry: where, openShardCount: summary.OpenShardCount, fileShardCount: entry.ShardCount },
        "init: the stream exists with another shard count; left as it is (UpdateShardCount changes it)",
      );
    }
  }

  private async describeStream(name: string, where: string): Promise<Record<string, unknown> | undefined> {
    try {
      const output = await this.call(this.deps.streams, "DescribeStreamSummary", { StreamName: name }, where);
      return output?.StreamDescriptionSummary as Record<string, unknown>;
    } catch (error) {
      if (isType(error, "ResourceNotFoundException")) return undefined;
      throw this.named(error, "DescribeStreamSummary", where);
    }
  }

  private async consumerStatus(streamName: string, consumerName: string, where: string): Promise<string | undefined> {
    const request = { StreamARN: streamArn(this.deps.region, this.deps.accountId, streamName), ConsumerName: consumerName };
    try {
      const output = await this.call(this.deps.streams, "DescribeStreamConsumer", request, where);
      return String((output?.ConsumerDescription as Record<string, unknown>).ConsumerStatus);
    } catch (error) {
      if (isType(error, "ResourceNotFoundException")) return undefined;
      throw this.named(error, "DescribeStreamConsumer", where);
    }
  }

  private async describeTable(name: string, where: string): Promise<Record<string, unknown> | undefined> {
    try {
      const output = await this.call(this.deps.dynamoDb, "DescribeTable", { TableName: name }, where);
      return output?.Table as Record<string, unknown>;
    } catch (error) {
      if (isType(error, "ResourceNotFoundException")) return undefined;
      throw this.named(error, "DescribeTable", where);
    }
  }

  /** One request through the service, retried while a call rate refuses it (`--limits aws`: five CreateStream calls a second). */
  private async call(service: AwsService, action: string, request: unknown, where: string): Promise<Output> {
    for (let waitedMs = 0; ; waitedMs += pollMs) {
      try {
        return (await service.invoke(action, request, "json")) as Output;
      } catch (error) {
        if (!(error instanceof ServiceError && error.type === "LimitExceededException" && /^Rate exceeded/.test(error.wireMessage ?? ""))) throw error;
      }
      await this.waitStep(waitedMs, where, `the ${action} call rate to admit a call`);
    }
  }

  private async waitStep(waitedMs: number, where: string, what: string): Promise<void> {
    if (waitedMs >= this.deps.waitMsMax) throw new InitError(`${where}: gave up after ${this.deps.waitMsMax} ms waiting for ${what}`);
    await this.sleep(pollMs);
  }

  /** The error that stops the start: AWS's type and message for the request, with the entry it came from. */
  private named(error: unknown, action: string, where: string): Error {
    if (error instanceof InitError) return error;
    if (!(error instanceof ServiceError)) return error instanceof Error ? error : new Error(String(error));
    const type = error.type.slice(error.type.lastIndexOf("#") + 1);
    return new InitError(`${where} (${action}): ${type}${error.wireMessage === undefined ? "" : `: ${error.wireMessage}`}`);
  }
}

function isType(error: unknown, type: string): boolean {
  return error instanceof ServiceError && error.type.slice(error.type.lastIndexOf("#") + 1) === type;
}

/** A key schema as comparable [name, type] pairs in its order, or the value itself when it is not a list. */
function keySchemaPairs(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((element: { AttributeName?: unknown; KeyType?: unknown }) => [element?.AttributeName, element?.KeyType]);
}
