/**
 * The KCL's lease item layout (DynamoDBLeaseSerializer), so a table written by the KCL and one
 * written here are the same table:
 *
 *   leaseKey S (hash key) · leaseOwner S (absent when free) · leaseCounter N ·
 *   ownerSwitchesSinceCheckpoint N · checkpoint S · checkpointSubSequenceNumber N ·
 *   pendingCheckpoint S · pendingCheckpointSubSequenceNumber N (both absent when none) ·
 *   parentShardId SS · childShardIds SS (absent when empty: DynamoDB has no empty sets) ·
 *   startingHashKey S · endingHashKey S
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { Lease } from "../types.js";

export const attribute = {
  leaseKey: "leaseKey",
  leaseOwner: "leaseOwner",
  leaseCounter: "leaseCounter",
  ownerSwitchesSinceCheckpoint: "ownerSwitchesSinceCheckpoint",
  checkpoint: "checkpoint",
  checkpointSubSequenceNumber: "checkpointSubSequenceNumber",
  pendingCheckpoint: "pendingCheckpoint",
  pendingCheckpointSubSequenceNumber: "pendingCheckpointSubSequenceNumber",
  parentShardIds: "parentShardId",
  childShardIds: "childShardIds",
  startingHashKey: "startingHashKey",
  endingHashKey: "endingHashKey",
} as const;

export type Item = Record<string, AttributeValue>;

export function leaseToItem(lease: Lease): Item {
  const item: Item = {
    [attribute.leaseKey]: { S: lease.leaseKey },
    [attribute.leaseCounter]: { N: String(lease.leaseCounter) },
    [attribute.ownerSwitchesSinceCheckpoint]: { N: String(lease.ownerSwitchesSinceCheckpoint) },
    [attribute.checkpoint]: { S: lease.checkpoint.sequenceNumber },
    [attribute.checkpointSubSequenceNumber]: { N: String(lease.checkpoint.subSequenceNumber) },
  };
  if (lease.leaseOwner !== undefined) item[attribute.leaseOwner] = { S: lease.leaseOwner };
  if (lease.pendingCheckpoint !== undefined && lease.pendingCheckpoint.sequenceNumber !== "") {
    item[attribute.pendingCheckpoint] = { S: lease.pendingCheckpoint.sequenceNumber };
    item[attribute.pendingCheckpointSubSequenceNumber] = { N: String(lease.pendingCheckpoint.subSequenceNumber) };
  }
  if (lease.parentShardIds.length > 0) item[attribute.parentShardIds] = { SS: [...new Set(lease.parentShardIds)] };
  if (lease.childShardIds.length > 0) item[attribute.childShardIds] = { SS: [...new Set(lease.childShardIds)] };
  if (lease.startingHashKey !== undefined && lease.endingHashKey !== undefined) {
    item[attribute.startingHashKey] = { S: lease.startingHashKey };
    item[attribute.endingHashKey] = { S: lease.endingHashKey };
  }
  return item;
}

/** Reads an item leniently, as the KCL does: a missing number is 0, a missing set is empty. */
export function itemToLease(item: Item): Lease {
  const string = (name: string): string | undefined => item[name]?.S;
  const number = (name: string): number => Number(item[name]?.N ?? "0");
  const strings = (name: string): string[] => [...(item[name]?.SS ?? [])].sort();
  const lease: Lease = {
    leaseKey: string(attribute.leaseKey) ?? "",
    leaseCounter: number(attribute.leaseCounter),
    checkpoint: { sequenceNumber: string(attribute.checkpoint) ?? "", subSequenceNumber: number(attribute.checkpointSubSequenceNumber) },
    ownerSwitchesSinceCheckpoint: number(attribute.ownerSwitchesSinceCheckpoint),
    parentShardIds: strings(attribute.parentShardIds),
    childShardIds: strings(attribute.childShardIds),
  };
  const owner = string(attribute.leaseOwner);
  if (owner !== undefined) lease.leaseOwner = owner;
  const pending = string(attribute.pendingCheckpoint);
  if (pending !== undefined && pending !== "") {
    lease.pendingCheckpoint = { sequenceNumber: pending, subSequenceNumber: number(attribute.pendingCheckpointSubSequenceNumber) };
  }
  const startingHashKey = string(attribute.startingHashKey);
  const endingHashKey = string(attribute.endingHashKey);
  if (startingHashKey !== undefined && endingHashKey !== undefined) {
    lease.startingHashKey = startingHashKey;
    lease.endingHashKey = endingHashKey;
  }
  return lease;
}
