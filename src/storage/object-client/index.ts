export type { Failure, GetObjectInput, GotObject, ListedObject, ListObjectsInput, ObjectClient, PutObjectInput, S3EndpointConfig } from "./object-client.js";
export { keyBytesMax, listKeysMax } from "./object-client.js";
export { localObjectClient, type LocalObjectClientDeps } from "./local-object-client.js";
export { externalObjectClient, partBytes } from "./external-object-client.js";
export { objectClientFor } from "./object-client-for.js";
