/**
 * Publishing a version of a function (PublishVersion, and CreateFunction/UpdateFunctionCode with
 * Publish): a copy of `$LATEST`'s configuration and code under the next number. As on Lambda,
 * nothing new is published when neither code nor configuration changed since the last version:
 * that version is answered again.
 */
import type { ApiContext } from "../api-context.js";
import { lambdaErrors } from "../errors.js";
import { checkChangeable, currentRevisionId, type FunctionItem, type VersionRecord } from "../function-records.js";
import { randomUUIDFrom } from "../../util/uuid.js";

export interface PublishOptions {
  description?: string;
  /** PublishVersion's CodeSha256: $LATEST's must still be this. */
  codeSha256?: string;
  /** PublishVersion's RevisionId: $LATEST's must still be this. */
  revisionId?: string;
  /** PublishVersion itself (not a Publish member of another action): refused while $LATEST is Pending or InProgress. */
  refuseWhileSettling?: boolean;
}

/** The fields that make two versions the same (what Lambda compares before publishing again). */
function fingerprint(record: VersionRecord): string {
  const { Version: _v, lastModifiedMs: _m, pendingRevisionId: _p, revisionId: _r, settlesAtMs: _s, change: _c, Description: _d, ...rest } = record;
  return JSON.stringify(rest);
}

export async function publishVersion(context: ApiContext, accountId: string, name: string, options: PublishOptions): Promise<VersionRecord> {
  const { store, clock } = context;
  return store.change(accountId, name, async (current: FunctionItem | undefined) => {
    if (current === undefined) throw lambdaErrors.functionNotFound(`arn:aws:lambda:${context.region}:${accountId}:function:${name}`);
    const latest = current.latest;
    const nowMs = clock.nowMs();
    if (options.refuseWhileSettling === true) checkChangeable(latest, `arn:aws:lambda:${context.region}:${accountId}:function:${name}`, nowMs);
    if (options.revisionId !== undefined && options.revisionId !== currentRevisionId(latest, nowMs)) throw lambdaErrors.preconditionFailed();
    if (options.codeSha256 !== undefined && options.codeSha256 !== latest.code.sha256Base64) {
      throw lambdaErrors.invalidParameterValue(
        `CodeSHA256 (${options.codeSha256}) is different from current CodeSHA256 in $LATEST (${latest.code.sha256Base64}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    if (current.lastVersion > 0) {
      const last = await store.getVersion(accountId, name, current.lastVersion);
      if (last !== undefined && fingerprint(last) === fingerprint(latest)) return { write: "none", result: last };
    }
    const version = current.lastVersion + 1;
    const revisionId = randomUUIDFrom(context.random);
    const published: VersionRecord = {
      ...latest,
      Version: String(version),
      Description: options.description ?? latest.Description,
      lastModifiedMs: nowMs,
      pendingRevisionId: revisionId,
      revisionId,
      settlesAtMs: nowMs,
      change: "create",
    };
    // The version is written before the item that counts it: a crash between leaves an
    // unnumbered version that the next publish overwrites, never a number without its version.
    await store.putVersion(accountId, published);
    return { write: { ...current, lastVersion: version }, result: published };
  });
}
