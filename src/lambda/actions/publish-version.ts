/** PublishVersion (POST /2015-03-31/functions/{FunctionName}/versions): 201 with the version's configuration. */
import { functionConfiguration } from "../function-records.js";
import { nameUnqualifiedFunction } from "../function-lookup.js";
import { defineApiAction } from "./define.js";
import { checkLength, optionalString, Violations } from "./members.js";
import { publishVersion as publish } from "./publish.js";

export const publishVersion = defineApiAction({
  name: "PublishVersion",
  method: "POST",
  path: "/2015-03-31/functions/{FunctionName}/versions",
  iamAction: "lambda:PublishVersion",
  async run(context, request) {
    const named = nameUnqualifiedFunction(context.region, request.accountId, request.params.FunctionName!);
    const description = optionalString(request.json, "Description");
    const violations = new Violations();
    checkLength(violations, description, "description", 256);
    violations.check();
    const codeSha256 = optionalString(request.json, "CodeSha256");
    const revisionId = optionalString(request.json, "RevisionId");
    const version = await publish(context, named.accountId, named.name, {
      refuseWhileSettling: true,
      ...(description !== undefined && { description }),
      ...(codeSha256 !== undefined && { codeSha256 }),
      ...(revisionId !== undefined && { revisionId }),
    });
    return { statusCode: 201, body: functionConfiguration(version, named.functionArn, context.region, context.clock.nowMs()) };
  },
});
