import type { WireFormat } from "./wire-format.js";
import type { Principal } from "../auth/principal.js";

/** A service the protocol layer routes to by the X-Amz-Target prefix (`Kinesis_20131202`). */
export interface AwsService {
  readonly targetPrefix: string;
  hasAction(name: string): boolean;
  /**
   * Checks the decoded body and runs the action as `principal` (authenticated by the pipeline;
   * undefined when the server has no authenticator, and the service then uses its own default);
   * throws ServiceError for AWS errors.
   */
  invoke(action: string, body: unknown, format: WireFormat, principal?: Principal): Promise<unknown>;
}
