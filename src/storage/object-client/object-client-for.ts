/**
 * The object client a service gets: the external endpoint's when `--s3-endpoint` is given, else this
 * server's own storage. The external client's module (and with it @aws-sdk/client-s3, ~140 ms to
 * load) is imported on the first call, so a server without an endpoint never loads it.
 */
import type { StorageEngine } from "../types.js";
import type { Clock } from "../../util/clock.js";
import { localObjectClient } from "./local-object-client.js";
import type { ObjectClient, S3EndpointConfig } from "./object-client.js";

export function objectClientFor(deps: { storage: StorageEngine; clock: Clock; region: string; s3Endpoint?: S3EndpointConfig }): ObjectClient {
  if (deps.s3Endpoint !== undefined) return lazyExternalClient(deps.s3Endpoint);
  return localObjectClient({ store: deps.storage.objects, clock: deps.clock, region: deps.region });
}

function lazyExternalClient(config: S3EndpointConfig): ObjectClient {
  let loaded: Promise<ObjectClient> | undefined;
  const client = () => (loaded ??= import("./external-object-client.js").then((module) => module.externalObjectClient(config)));
  return {
    putObject: async (input) => (await client()).putObject(input),
    getObject: async (input) => (await client()).getObject(input),
    listObjects: async (input) => (await client()).listObjects(input),
    deleteObject: async (input) => (await client()).deleteObject(input),
    ensureBucket: async (input) => (await client()).ensureBucket(input),
  };
}
