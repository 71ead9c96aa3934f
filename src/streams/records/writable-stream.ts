import type { StreamMeta } from "../model.js";
import type { StreamsContext } from "../context.js";
import { streamsErrors } from "../errors.js";
import type { StreamReference } from "../stream-registry.js";

/**
 * The stream a write names, if it takes writes now: AWS (per kinesalite) answers writes to a
 * CREATING or DELETING stream as if the stream did not exist.
 */
export function requireWritableStream(context: StreamsContext, reference: StreamReference): StreamMeta {
  const meta = context.streams.require(reference);
  if (meta.StreamStatus !== "ACTIVE" && meta.StreamStatus !== "UPDATING") {
    throw streamsErrors.streamNotFound(meta.StreamName, context.accountId);
  }
  return meta;
}
