import type { StructureShape } from "../protocol/shapes.js";
import type { GlueContext } from "./context.js";

/** What an action is authorized on (authorize.ts): the catalog, a database, or a table. */
export type GlueResource = "catalog" | "database" | "table";

/**
 * One Glue operation in its own file: its request shape (from botocore's model), its IAM action
 * and resource, and its handler, which receives the checked input.
 */
export interface GlueAction<Input = any> {
  shape: StructureShape;
  iamAction: string;
  resource: GlueResource;
  run(context: GlueContext, input: Input): Promise<unknown>;
}

export function defineAction<Input>(action: GlueAction<Input>): GlueAction<Input> {
  return action;
}
