/** DeleteAlias (DELETE /2015-03-31/functions/{FunctionName}/aliases/{Name}): 204, also for an alias that is not there (as Lambda answers). */
import { changeFunction, nameFunction } from "../function-lookup.js";
import { defineApiAction } from "./define.js";

export const deleteAlias = defineApiAction({
  name: "DeleteAlias",
  method: "DELETE",
  path: "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
  iamAction: "lambda:DeleteAlias",
  async run(context, request) {
    const named = nameFunction(context.region, request.accountId, request.params.FunctionName!);
    const aliasName = request.params.Name!;
    await changeFunction(context.store, named, (current) => {
      if (current.aliases[aliasName] === undefined) return { write: "none", result: undefined };
      const { [aliasName]: _removed, ...aliases } = current.aliases;
      return { write: { ...current, aliases }, result: undefined };
    });
    return { statusCode: 204 };
  },
});
