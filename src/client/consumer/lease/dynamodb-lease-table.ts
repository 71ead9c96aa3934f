/**
 * The lease table in DynamoDB, in the KCL's layout (lease-serializer.ts). Every write that changes
 * ownership or progress is conditional on the lease counter the caller last saw (and, for the
 * owner's own writes, on the owner): the counter is the fencing token, so a worker whose view is
 * stale fails its write instead of overwriting someone else's. A failed condition is a value
 * (undefined), not an error; throttling and 5xx are retried with jittered backoff here.
 *
 * Only documented DynamoDB API is used (ConditionExpression / UpdateExpression), so the same code
 * runs against AWS, dynalite and Tributary's DynamoDB subset.
 *
 * @example
 *   const table = new DynamoDbLeaseTable({ client: new DynamoDBClient({}), tableName: "my-app" });
 *   await table.ensureTable();
 */
import {
  CreateTableCommand, DeleteItemCommand, DescribeTableCommand, GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand,
  type AttributeValue, type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { assert } from "../../../util/assert.js";
import { systemRandom, type Random } from "../../../util/random.js";
import { ConsumerError } from "../errors.js";
import type { ExtendedSequenceNumber, Lease, LeaseTable } from "../types.js";
import { attribute, itemToLease, leaseToItem, type Item } from "./lease-serializer.js";
import { errorName, isRetriableError, jitteredBackoffMs } from "../../retry.js";
import { systemClock, type Clock } from "../../../util/clock.js";

export interface DynamoDbLeaseTableOptions {
  client: DynamoDBClient;
  /** The KCL names the table after the application. */
  tableName: string;
  /** Attempts per call for throttling and server errors (default 6), on top of the SDK's own retries. */
  attemptsMax?: number;
  backoffMsBase?: number;
  backoffMsMax?: number;
  /** How long ensureTable waits for the table to become ACTIVE (default 5 minutes). */
  tableActiveTimeoutMs?: number;
  random?: Random;
  /** What waits between polls and retries run on (default the system clock). */
  clock?: Clock;
}

/** Pages of Scan, a bound against a misbehaving endpoint (each page is up to 1 MB of leases). */
const scanPagesMax = 10_000;
/** The poll interval while a table is being created grows from the first to the second. */
const tablePollMsFirst = 50;
const tablePollMsMax = 1000;

export class DynamoDbLeaseTable implements LeaseTable {
  readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly attemptsMax: number;
  private readonly backoffMsBase: number;
  private readonly backoffMsMax: number;
  private readonly tableActiveTimeoutMs: number;
  private readonly random: Random;
  private readonly clock: Clock;

  constructor(options: DynamoDbLeaseTableOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.attemptsMax = options.attemptsMax ?? 6;
    this.backoffMsBase = options.backoffMsBase ?? 50;
    this.backoffMsMax = options.backoffMsMax ?? 2000;
    this.tableActiveTimeoutMs = options.tableActiveTimeoutMs ?? 300_000;
    this.random = options.random ?? systemRandom;
    this.clock = options.clock ?? systemClock;
    assert(this.attemptsMax >= 1, "attemptsMax must be at least 1");
  }

  async ensureTable(): Promise<void> {
    let status = await this.tableStatus();
    if (status === undefined) {
      try {
        await this.send(() =>
          this.client.send(
            new CreateTableCommand({
              TableName: this.tableName,
              AttributeDefinitions: [{ AttributeName: attribute.leaseKey, AttributeType: "S" }],
              KeySchema: [{ AttributeName: attribute.leaseKey, KeyType: "HASH" }],
              BillingMode: "PAY_PER_REQUEST",
            }),
          ),
        );
      } catch (error) {
        // Another worker created it first: fine, wait for it like for our own.
        if (errorName(error) !== "ResourceInUseException") throw error;
      }
      status = await this.tableStatus();
    }
    let waitedMs = 0;
    let pollMs = tablePollMsFirst;
    while (status !== "ACTIVE") {
      if (waitedMs >= this.tableActiveTimeoutMs) {
        throw new ConsumerError("TableNotActive", `Lease table ${this.tableName} is ${status ?? "missing"} after ${waitedMs} ms`);
      }
      await this.clock.sleep(pollMs);
      waitedMs += pollMs;
      pollMs = Math.min(tablePollMsMax, pollMs * 2);
      status = await this.tableStatus();
    }
  }

  async list(): Promise<Lease[]> {
    const leases: Lease[] = [];
    let startKey: Item | undefined;
    for (let page = 0; page < scanPagesMax; page++) {
      const output = await this.send(() =>
        this.client.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ...(startKey !== undefined && { ExclusiveStartKey: startKey }) })),
      );
      for (const item of output.Items ?? []) leases.push(itemToLease(item));
      startKey = output.LastEvaluatedKey;
      if (startKey === undefined || Object.keys(startKey).length === 0) return leases;
    }
    throw new Error(`Scan of ${this.tableName} did not end after ${scanPagesMax} pages`);
  }

  async get(leaseKey: string): Promise<Lease | undefined> {
    const output = await this.send(() =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(leaseKey), ConsistentRead: true })),
    );
    return output.Item === undefined ? undefined : itemToLease(output.Item);
  }

  async createIfAbsent(lease: Lease): Promise<boolean> {
    const written = await this.conditional(() =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: leaseToItem(lease),
          ConditionExpression: "attribute_not_exists(#key)",
          ExpressionAttributeNames: { "#key": attribute.leaseKey },
        }),
      ),
    );
    return written !== undefined;
  }

  renew(lease: Lease): Promise<Lease | undefined> {
    return this.update(lease, ownedBy(lease), { set: {} });
  }

  take(lease: Lease, owner: string): Promise<Lease | undefined> {
    // An owner switch counts against the checkpoint (the KCL's ownerSwitchesSinceCheckpoint); a
    // worker re-taking its own expired lease is no switch.
    const switched = lease.leaseOwner !== undefined && lease.leaseOwner !== owner;
    return this.update(lease, undefined, { set: { [attribute.leaseOwner]: { S: owner } }, ...(switched && { add: { [attribute.ownerSwitchesSinceCheckpoint]: { N: "1" } } }) });
  }

  release(lease: Lease): Promise<Lease | undefined> {
    return this.update(lease, ownedBy(lease), { set: {}, remove: [attribute.leaseOwner] });
  }

  checkpoint(lease: Lease, checkpoint: ExtendedSequenceNumber): Promise<Lease | undefined> {
    return this.update(lease, ownedBy(lease), {
      set: {
        [attribute.checkpoint]: { S: checkpoint.sequenceNumber },
        [attribute.checkpointSubSequenceNumber]: { N: String(checkpoint.subSequenceNumber) },
        [attribute.ownerSwitchesSinceCheckpoint]: { N: "0" },
      },
      remove: [attribute.pendingCheckpoint, attribute.pendingCheckpointSubSequenceNumber],
    });
  }

  setChildShardIds(lease: Lease, childShardIds: string[]): Promise<Lease | undefined> {
    const ids = [...new Set(childShardIds)];
    return ids.length > 0
      ? this.update(lease, ownedBy(lease), { set: { [attribute.childShardIds]: { SS: ids } } })
      : this.update(lease, ownedBy(lease), { set: {}, remove: [attribute.childShardIds] });
  }

  async delete(lease: Lease): Promise<void> {
    await this.send(() => this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: key(lease.leaseKey) })));
  }

  /**
   * One conditional UpdateItem: `leaseCounter = :expected` (and `leaseOwner = :owner` when given)
   * → the changes plus `leaseCounter = expected + 1`; returns the item as written.
   */
  private async update(lease: Lease, owner: string | undefined, changes: Changes): Promise<Lease | undefined> {
    const names: Record<string, string> = { "#counter": attribute.leaseCounter };
    const values: Record<string, AttributeValue> = { ":expected": { N: String(lease.leaseCounter) }, ":next": { N: String(lease.leaseCounter + 1) } };
    let condition = "#counter = :expected";
    if (owner !== undefined) {
      names["#owner"] = attribute.leaseOwner;
      values[":owner"] = { S: owner };
      condition += " AND #owner = :owner";
    }
    const sets = ["#counter = :next"];
    let index = 0;
    const placeholder = (name: string, value?: AttributeValue): [string, string] => {
      index++;
      names[`#a${index}`] = name;
      if (value !== undefined) values[`:v${index}`] = value;
      return [`#a${index}`, `:v${index}`];
    };
    for (const [name, value] of Object.entries(changes.set)) {
      const [n, v] = placeholder(name, value);
      sets.push(`${n} = ${v}`);
    }
    let expression = `SET ${sets.join(", ")}`;
    const adds = Object.entries(changes.add ?? {}).map(([name, value]) => placeholder(name, value).join(" "));
    if (adds.length > 0) expression += ` ADD ${adds.join(", ")}`;
    const removes = (changes.remove ?? []).map((name) => placeholder(name)[0]);
    if (removes.length > 0) expression += ` REMOVE ${removes.join(", ")}`;
    const output = await this.conditional(() =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(lease.leaseKey),
          ConditionExpression: condition,
          UpdateExpression: expression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      ),
    );
    return output?.Attributes === undefined ? undefined : itemToLease(output.Attributes);
  }

  /** A conditional write: undefined when its condition failed (the lease changed under us, or is gone). */
  private async conditional<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.send(call);
    } catch (error) {
      if (errorName(error) === "ConditionalCheckFailedException") return undefined;
      throw error;
    }
  }

  private async tableStatus(): Promise<string | undefined> {
    try {
      const output = await this.send(() => this.client.send(new DescribeTableCommand({ TableName: this.tableName })));
      return output.Table?.TableStatus ?? "UNKNOWN";
    } catch (error) {
      if (errorName(error) === "ResourceNotFoundException") return undefined;
      throw error;
    }
  }

  /** Retries throttling and server errors with full-jitter backoff; any other error is the caller's. */
  private async send<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (attempt >= this.attemptsMax || !isRetriableError(error)) throw error;
        await this.clock.sleep(jitteredBackoffMs(attempt, this.random, this.backoffMsBase, this.backoffMsMax));
      }
    }
  }
}

interface Changes {
  set: Record<string, AttributeValue>;
  add?: Record<string, AttributeValue>;
  remove?: string[];
}

function key(leaseKey: string): Item {
  return { [attribute.leaseKey]: { S: leaseKey } };
}

/** The owner a write by the lease's holder is conditional on; a programmer error to call without one. */
function ownedBy(lease: Lease): string {
  assert(lease.leaseOwner !== undefined, `lease ${lease.leaseKey} has no owner to write as`);
  return lease.leaseOwner;
}
