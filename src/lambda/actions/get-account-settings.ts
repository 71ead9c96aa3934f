/**
 * GetAccountSettings (GET /2016-08-19/account-settings): Lambda's default quotas (75 GB of code,
 * 50 MB zipped and 250 MB unzipped per package, 1,000 concurrent executions) and the account's
 * usage: its functions and the bytes of their code (every version) and layers.
 */
import { defineApiAction } from "./define.js";
import { unzippedBytesMax, zippedBytesMax } from "./code-input.js";
import { accountConcurrencyMax } from "./concurrency-actions.js";

export const totalCodeSizeBytesMax = 80_530_636_800;

export const getAccountSettings = defineApiAction({
  name: "GetAccountSettings",
  method: "GET",
  path: "/2016-08-19/account-settings",
  iamAction: "lambda:GetAccountSettings",
  async run(context, request) {
    const functions = await context.store.listFunctions(request.accountId);
    const versions = await context.store.allVersions(request.accountId);
    const layers = await context.store.listLayerVersions(request.accountId);
    const reserved = functions.reduce((sum, item) => sum + (item.reservedConcurrency ?? 0), 0);
    const totalCodeSize =
      functions.reduce((sum, item) => sum + item.latest.code.sizeBytes, 0) +
      versions.reduce((sum, version) => sum + version.code.sizeBytes, 0) +
      layers.reduce((sum, layer) => sum + layer.code.sizeBytes, 0);
    return {
      statusCode: 200,
      body: {
        AccountLimit: {
          TotalCodeSize: totalCodeSizeBytesMax,
          CodeSizeUnzipped: unzippedBytesMax,
          CodeSizeZipped: zippedBytesMax,
          ConcurrentExecutions: accountConcurrencyMax,
          UnreservedConcurrentExecutions: accountConcurrencyMax - reserved,
        },
        AccountUsage: { TotalCodeSize: totalCodeSize, FunctionCount: functions.length },
      },
    };
  },
});
