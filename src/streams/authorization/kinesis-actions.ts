/**
 * What each Kinesis action the server implements is authorized as — its IAM action name and the
 * resources it touches — gathered from the actions' own declarations (`iamAction` and `resources`
 * in each src/streams/actions/ file; the ways of naming resources are in action-resources.ts).
 */
import { streamsActions } from "../actions/index.js";
import type { ActionResources } from "./action-resources.js";

export type { ResourceLocator } from "./action-resources.js";

export interface KinesisActionAuthorization {
  /** The IAM action, `kinesis:PutRecord`. */
  iamAction: string;
  /** The resources the request touches; each is authorized. */
  resources: ActionResources;
}

/** Per API action name (the X-Amz-Target suffix), how it is authorized. */
export const kinesisActions: Readonly<Record<string, KinesisActionAuthorization>> = Object.fromEntries(
  Object.entries(streamsActions).map(([name, { iamAction, resources }]) => [name, { iamAction, resources }]),
);

/** How an action is authorized, or undefined for a name Tributary does not implement. */
export function kinesisActionOf(name: string): KinesisActionAuthorization | undefined {
  return Object.prototype.hasOwnProperty.call(kinesisActions, name) ? kinesisActions[name] : undefined;
}
