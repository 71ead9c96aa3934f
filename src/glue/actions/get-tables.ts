import { defineAction } from "../action.js";
import { glueErrors } from "../errors.js";
import { decodePageToken, encodePageToken } from "../page-token.js";
import { renderTable } from "../render.js";
import { catalogGetterPageSize, catalogIdString, filterString, requiredName, structure, token, transactionIdString } from "../shapes.js";
import type { TableRecord } from "../catalog-store.js";
import { catalogOf, requireDatabase } from "./common.js";

const defaultPageSize = 100;
/** Tables read per scan while filtering by Expression. */
const scanPageSize = 256;

/**
 * Expression is a Hive metastore pattern: `*` matches any run of characters and `|` separates
 * alternatives; the rest is a (Java) regular expression, matched against the whole name without
 * regard to case. `sales_*|orders` matches `sales_2024` and `orders`.
 */
export function tableNameMatcher(expression: string | undefined): (name: string) => boolean {
  if (expression === undefined || expression === "") return () => true;
  const source = expression
    .split("|")
    .map((alternative) => alternative.replace(/(^|[^.\\])\*/g, "$1.*"))
    .join("|");
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${source})$`, "iu");
  } catch {
    throw glueErrors.invalidInput(`Invalid expression: ${expression}`);
  }
  return (name) => pattern.test(name);
}

export const getTables = defineAction<{ CatalogId?: string; DatabaseName: string; Expression?: string; NextToken?: string; MaxResults?: number }>({
  iamAction: "glue:GetTables",
  resource: "database",
  shape: structure({
    CatalogId: catalogIdString,
    DatabaseName: requiredName,
    Expression: filterString,
    NextToken: token,
    MaxResults: catalogGetterPageSize,
    TransactionId: transactionIdString,
    QueryAsOfTime: { type: "timestamp" },
  }),
  async run(context, input) {
    const catalogId = catalogOf(context, input.CatalogId);
    await requireDatabase(context, catalogId, input.DatabaseName);
    const matches = tableNameMatcher(input.Expression);
    const limit = input.MaxResults ?? defaultPageSize;
    let after = decodePageToken(input.NextToken);
    const found: TableRecord[] = [];
    let more = false;
    for (;;) {
      const page = await context.store.listTables(catalogId, input.DatabaseName, after, scanPageSize);
      for (const table of page) {
        if (!matches(table.Name)) continue;
        if (found.length === limit) {
          more = true;
          break;
        }
        found.push(table);
      }
      if (more || page.length < scanPageSize) break;
      after = page[page.length - 1]!.Name;
    }
    return { TableList: found.map(renderTable), NextToken: more ? encodePageToken(found[found.length - 1]!.Name) : undefined };
  },
});
