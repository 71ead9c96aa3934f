/**
 * TagResource (POST /2017-03-31/tags/{Resource}), UntagResource (DELETE, `tagKeys` in the query)
 * and ListTags (GET): tags of an unqualified function ARN.
 */
import type { ApiContext } from "../api-context.js";
import { lambdaErrors } from "../errors.js";
import { changeFunction, nameFunction, readFunction, type NamedFunction } from "../function-lookup.js";
import { defineApiAction } from "./define.js";
import { checkTagCount, readTags } from "./tags.js";
import { Violations } from "./members.js";

const resourcePattern =
  "arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)";
const resourceRegex = new RegExp(`^(?:${resourcePattern})$`);

function taggedFunction(context: ApiContext, accountId: string, resource: string): NamedFunction {
  if (!resourceRegex.test(resource) || !resource.split(":")[5]?.startsWith("function")) {
    const violations = new Violations();
    violations.add(resource, "resource", `Member must satisfy regular expression pattern: ${resourcePattern}`);
    violations.check();
  }
  const named = nameFunction(context.region, accountId, resource);
  if (named.qualifier !== undefined) throw lambdaErrors.invalidParameterValue("Tags on function aliases and versions are not supported. Please specify a function ARN.");
  return named;
}

export const tagResource = defineApiAction({
  name: "TagResource",
  method: "POST",
  path: "/2017-03-31/tags/{Resource}",
  iamAction: "lambda:TagResource",
  async run(context, request) {
    const named = taggedFunction(context, request.accountId, request.params.Resource!);
    const tags = readTags(request.json.Tags);
    await changeFunction(context.store, named, (current) => ({ write: { ...current, tags: checkTagCount({ ...current.tags, ...tags }) }, result: undefined }));
    return { statusCode: 204 };
  },
});

export const untagResource = defineApiAction({
  name: "UntagResource",
  method: "DELETE",
  path: "/2017-03-31/tags/{Resource}",
  iamAction: "lambda:UntagResource",
  async run(context, request) {
    const named = taggedFunction(context, request.accountId, request.params.Resource!);
    const keys = request.query.getAll("tagKeys");
    if (keys.length === 0) {
      const violations = new Violations();
      violations.add(null, "tagKeys", "Member must not be null");
      violations.check();
    }
    await changeFunction(context.store, named, (current) => {
      const tags = { ...current.tags };
      for (const key of keys) delete tags[key];
      return { write: { ...current, tags }, result: undefined };
    });
    return { statusCode: 204 };
  },
});

export const listTags = defineApiAction({
  name: "ListTags",
  method: "GET",
  path: "/2017-03-31/tags/{Resource}",
  iamAction: "lambda:ListTags",
  async run(context, request) {
    const named = taggedFunction(context, request.accountId, request.params.Resource!);
    const item = await readFunction(context.store, named);
    return { statusCode: 200, body: { Tags: { ...item.tags } } };
  },
});
