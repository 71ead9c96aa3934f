import type { WireFormat } from "./wire-format.js";

/** A service the protocol layer routes to by the X-Amz-Target prefix (`Kinesis_20131202`). */
export interface AwsService {
  readonly targetPrefix: string;
  hasAction(name: string): boolean;
  /** Checks the decoded body and runs the action; throws ServiceError for AWS errors. */
  invoke(action: string, body: unknown, format: WireFormat): Promise<unknown>;
}
