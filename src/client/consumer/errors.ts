/**
 * Why a consumer operation failed, for the caller to branch on by `code`:
 * - `LeaseLost`: the lease is no longer this worker's (taken by another, expired, or released);
 *   the shard's processor must stop and must not checkpoint.
 * - `InvalidCheckpoint`: a position before the last checkpoint or after the last record handed out.
 * - `ShutdownInProgress`: the consumer or coordinator is stopping and takes no new work.
 * - `TableNotActive`: the lease table did not become ACTIVE in time.
 * - `FetcherClosed`: a record fetcher's `next()` was pending (or called) when it was closed.
 * - `StreamConsumerNotActive`: the enhanced fan-out consumer is being deleted, or did not become ACTIVE in time.
 */
export type ConsumerErrorCode = "LeaseLost" | "InvalidCheckpoint" | "ShutdownInProgress" | "TableNotActive" | "FetcherClosed" | "StreamConsumerNotActive";

export class ConsumerError extends Error {
  override name = "ConsumerError";
  constructor(
    readonly code: ConsumerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
