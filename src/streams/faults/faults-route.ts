/**
 * The fault injection admin endpoint, the streams service's admin route on the server's own port
 * (docs/fault-injection.md):
 *
 *   GET    /_tributary/faults   → 200 {"config": {seed, rules} | null, "counters": [{matchedCalls, injectedCalls}, …]}
 *   PUT    /_tributary/faults   body: a rules document → 200 as GET (rules replaced, counters and random reset)
 *                               a bad document → 400 {"message": "<where and what>"}; over 1 MiB → 413
 *   DELETE /_tributary/faults   → 200 as GET, with no rules: the service is back to no fault injection
 *
 * In a cluster, PUT and DELETE take effect on every node (the rules are stored in the catalog:
 * shared-fault-rules.ts); GET shows this node's rules and counters. A store that fails answers 503.
 *
 * It is a path of its own, so no X-Amz-Target reaches it; other methods on the path get the AWS
 * pipeline's answers as any other path does. It has no authentication of its own, so it is not
 * served where signatures are checked (`unauthenticated`).
 */
import type { AdminRequest, AdminRoute } from "../../protocol/service-module.js";
import type { ResponseToSend } from "../../protocol/respond.js";
import { faultConfigBytesMax } from "./fault-config.js";
import type { FaultControl } from "./fault-control.js";

export const faultsPath = "/_tributary/faults";

/** A body declared past this is refused without reading it, and the connection closed. */
const discardBytesMax = 2 * faultConfigBytesMax;

/** `current` names the service's control now: a reset (app.ts) replaces the service. */
export function faultsRoute(current: () => FaultControl): AdminRoute {
  return {
    path: faultsPath,
    methods: ["GET", "PUT", "DELETE"],
    unauthenticated: true,
    async respond(request) {
      const faults = current();
      if (request.method === "GET") return json(200, faults.snapshot());
      if (request.method === "DELETE") {
        const cleared = await faults.clearEverywhere();
        if (!cleared.ok) return storageFailed(cleared.failure.message);
        return json(200, faults.snapshot());
      }
      return install(faults, request);
    },
  };
}

async function install(faults: FaultControl, request: AdminRequest): Promise<ResponseToSend> {
  const read = await request.readBody(faultConfigBytesMax, discardBytesMax);
  if (!read.ok) {
    // An aborted upload has no one to answer; the 400 only completes the handler.
    if (read.reason === "aborted") return json(400, { message: "the request body was aborted" });
    const tooLarge = json(413, { message: `fault rules must be at most ${faultConfigBytesMax} bytes` });
    if (request.declaredLength !== undefined && request.declaredLength > discardBytesMax) tooLarge.headers.connection = "close";
    return tooLarge;
  }
  const parsed = faults.parse(read.body.toString("utf8"));
  if (!parsed.ok) return json(400, { message: parsed.message });
  const installed = await faults.installEverywhere(parsed.config);
  if (!installed.ok) return storageFailed(installed.failure.message);
  return json(200, faults.snapshot());
}

/** In a cluster the rules are stored for every node: a store that failed leaves them on this node only. */
function storageFailed(message: string): ResponseToSend {
  return json(503, { message: `the rules are in force on this node but could not be stored for the others: ${message}` });
}

function json(statusCode: number, value: unknown): ResponseToSend {
  return { statusCode, headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify(value)) };
}
