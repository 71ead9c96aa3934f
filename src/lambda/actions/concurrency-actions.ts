/**
 * PutFunctionConcurrency (PUT /2017-10-31/functions/{FunctionName}/concurrency),
 * GetFunctionConcurrency (GET /2019-09-30/…) and DeleteFunctionConcurrency (DELETE /2017-10-31/…):
 * a function's reserved concurrency. The account has 1,000 concurrent executions, of which at
 * least 100 must stay unreserved (Lambda quotas), worded as Lambda words the refusal.
 */
import { lambdaErrors } from "../errors.js";
import { changeFunction, nameUnqualifiedFunction, readFunction } from "../function-lookup.js";
import { defineApiAction } from "./define.js";
import { optionalNumber, Violations } from "./members.js";

export const accountConcurrencyMax = 1000;
export const unreservedConcurrencyMin = 100;

export const putFunctionConcurrency = defineApiAction({
  name: "PutFunctionConcurrency",
  method: "PUT",
  path: "/2017-10-31/functions/{FunctionName}/concurrency",
  iamAction: "lambda:PutFunctionConcurrency",
  async run(context, request) {
    const named = nameUnqualifiedFunction(context.region, request.accountId, request.params.FunctionName!);
    const reserved = optionalNumber(request.json, "ReservedConcurrentExecutions");
    const violations = new Violations();
    if (reserved === undefined) violations.add(null, "reservedConcurrentExecutions", "Member must not be null");
    else if (reserved < 0) violations.add(String(reserved), "reservedConcurrentExecutions", "Member must have value greater than or equal to 0");
    violations.check();
    if (!Number.isInteger(reserved)) throw lambdaErrors.invalidRequestContent("Could not parse request body into json: ReservedConcurrentExecutions must be an integer");
    await readFunction(context.store, named);
    const others = (await context.store.listFunctions(named.accountId))
      .filter((item) => item.name !== named.name)
      .reduce((sum, item) => sum + (item.reservedConcurrency ?? 0), 0);
    if (accountConcurrencyMax - others - reserved! < unreservedConcurrencyMin) {
      throw lambdaErrors.invalidParameterValue(
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${unreservedConcurrencyMin}].`,
      );
    }
    await changeFunction(context.store, named, (current) => ({ write: { ...current, reservedConcurrency: reserved! }, result: undefined }));
    await context.executor.retire(named.functionArn);
    return { statusCode: 200, body: { ReservedConcurrentExecutions: reserved } };
  },
});

export const getFunctionConcurrency = defineApiAction({
  name: "GetFunctionConcurrency",
  method: "GET",
  path: "/2019-09-30/functions/{FunctionName}/concurrency",
  iamAction: "lambda:GetFunctionConcurrency",
  async run(context, request) {
    const named = nameUnqualifiedFunction(context.region, request.accountId, request.params.FunctionName!);
    const item = await readFunction(context.store, named);
    return { statusCode: 200, body: item.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: item.reservedConcurrency } };
  },
});

export const deleteFunctionConcurrency = defineApiAction({
  name: "DeleteFunctionConcurrency",
  method: "DELETE",
  path: "/2017-10-31/functions/{FunctionName}/concurrency",
  iamAction: "lambda:DeleteFunctionConcurrency",
  async run(context, request) {
    const named = nameUnqualifiedFunction(context.region, request.accountId, request.params.FunctionName!);
    await changeFunction(context.store, named, (current) => {
      const { reservedConcurrency: _removed, ...rest } = current;
      return { write: rest, result: undefined };
    });
    await context.executor.retire(named.functionArn);
    return { statusCode: 204 };
  },
});
