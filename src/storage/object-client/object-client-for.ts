/**
 * The object client a service gets: the external endpoint's when `--s3-endpoint` is given, else this
 * server's own storage.
 */
import type { StorageEngine } from "../types.js";
import type { Clock } from "../../util/clock.js";
import { externalObjectClient } from "./external-object-client.js";
import { localObjectClient } from "./local-object-client.js";
import type { ObjectClient, S3EndpointConfig } from "./object-client.js";

export function objectClientFor(deps: { storage: StorageEngine; clock: Clock; region: string; s3Endpoint?: S3EndpointConfig }): ObjectClient {
  if (deps.s3Endpoint !== undefined) return externalObjectClient(deps.s3Endpoint);
  return localObjectClient({ store: deps.storage.objects, clock: deps.clock, region: deps.region });
}
