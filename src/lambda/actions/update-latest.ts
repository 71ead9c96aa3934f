/**
 * A change of `$LATEST` (UpdateFunctionCode, UpdateFunctionConfiguration): refused while the
 * function is Pending or an update is InProgress, RevisionId as a precondition (412 when stale);
 * the new record is InProgress until `settleMs` later with new revision ids. Then the function's
 * warm `$LATEST` sandboxes end (the next run sees the change) and the code the old record held goes
 * unless a published version (or another function) shares it.
 */
import type { ApiContext } from "../api-context.js";
import { lambdaErrors } from "../errors.js";
import { changeFunction, type NamedFunction } from "../function-lookup.js";
import { checkChangeable, codeKeysOf, currentRevisionId, settleMs, type VersionRecord } from "../function-records.js";
import { randomUUIDFrom } from "../../util/uuid.js";

export async function updateLatest(
  context: ApiContext,
  named: NamedFunction,
  change: { readonly revisionId: string | undefined; readonly nowMs: number; readonly members: (was: VersionRecord) => Partial<VersionRecord> },
): Promise<VersionRecord> {
  const { revisionId, nowMs } = change;
  let replaced: VersionRecord | undefined;
  const latest = await changeFunction(context.store, named, (current) => {
    const was = current.latest;
    checkChangeable(was, named.functionArn, nowMs);
    replaced = was;
    if (revisionId !== undefined && revisionId !== currentRevisionId(was, nowMs)) throw lambdaErrors.preconditionFailed();
    const updated: VersionRecord = {
      ...was,
      ...change.members(was),
      lastModifiedMs: nowMs,
      pendingRevisionId: randomUUIDFrom(context.random),
      revisionId: randomUUIDFrom(context.random),
      settlesAtMs: nowMs + settleMs,
      change: "update",
    };
    return { write: { ...current, latest: updated }, result: updated };
  });
  await context.executor.retire(named.functionArn, "$LATEST");
  await context.codeStore.collect(named.accountId, codeKeysOf(replaced!));
  return latest;
}
