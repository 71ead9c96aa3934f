/**
 * Authorization of Glue calls under `--auth sigv4`: the caller's identity policies must allow the
 * action's IAM action (`glue:GetTable`) on its resource's ARN — the catalog
 * (`arn:aws:glue:<region>:<account>:catalog`), a database (`…:database/<name>`) or a table
 * (`…:table/<database>/<name>`). Glue also checks the parent catalog and database of a table;
 * the single check here is on the resource itself. No resource policies, no condition keys.
 */
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import { IamAuthorizer } from "../auth/iam-authorizer.js";
import type { GlueAction } from "./action.js";
import type { GlueConfig } from "./context.js";
import { glueErrors } from "./errors.js";

export class GlueAuthorizer {
  private readonly iam = new IamAuthorizer();

  constructor(private readonly config: GlueConfig) {}

  authorize(principal: Principal, declared: GlueAction, input: Record<string, unknown>): void {
    if (principal === anonymousPrincipal(principal.accountId)) return;
    const resource = this.resourceArn(principal, declared, input);
    const evaluation = this.iam.decide(principal, declared.iamAction, resource);
    if (evaluation.decision !== "allow") throw glueErrors.accessDenied(principal.arn, declared.iamAction, resource, evaluation.decision === "explicit-deny");
  }

  private resourceArn(principal: Principal, declared: GlueAction, input: Record<string, unknown>): string {
    const account = typeof input.CatalogId === "string" ? input.CatalogId : principal.accountId;
    const base = `arn:aws:glue:${this.config.region}:${account}`;
    const databaseName = stringOf(input.DatabaseName) ?? stringOf((input.DatabaseInput as Record<string, unknown> | undefined)?.Name) ?? stringOf(input.Name);
    if (declared.resource === "catalog" || databaseName === undefined) return `${base}:catalog`;
    if (declared.resource === "database") return `${base}:database/${databaseName.toLowerCase()}`;
    const tableName = stringOf(input.Name) ?? stringOf(input.TableName) ?? stringOf((input.TableInput as Record<string, unknown> | undefined)?.Name) ?? "*";
    return `${base}:table/${databaseName.toLowerCase()}/${tableName.toLowerCase()}`;
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
