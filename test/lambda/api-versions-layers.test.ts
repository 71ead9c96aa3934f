/**
 * Versions, aliases, layers, tags, reserved concurrency and account settings through
 * @aws-sdk/client-lambda, with Lambda's recorded errors.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteLayerVersionCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  ListAliasesCommand,
  ListLayersCommand,
  ListLayerVersionsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { zipOf } from "../helpers/zip.js";
import { createActive, handlerZip, role, startLambdaServer, waitUpdated, type LambdaTestServer } from "./api-fixtures.js";

let lambda: LambdaTestServer;
before(async () => {
  lambda = await startLambdaServer();
});
after(() => lambda.stop());

const arnOf = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

async function rejects(promise: Promise<unknown>, name: string, message: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, name);
    assert.equal(error.message, message);
    assert.equal(error.$metadata?.httpStatusCode, status);
    return true;
  });
}

async function create(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  await createActive(lambda.client, { FunctionName: name, Runtime: "python3.12", Handler: "app.handler", Role: role, Code: { ZipFile: handlerZip }, ...extra });
}

describe("versions", () => {
  it("PublishVersion numbers from 1, answers the last version again when nothing changed, and checks CodeSha256 and RevisionId", async () => {
    await create("pv");
    const v1 = await lambda.client.send(new PublishVersionCommand({ FunctionName: "pv", Description: "first" }));
    assert.equal(v1.$metadata.httpStatusCode, 201);
    assert.equal(v1.Version, "1");
    assert.equal(v1.FunctionArn, `${arnOf("pv")}:1`);
    assert.equal(v1.State, "Active");
    assert.equal(v1.Description, "first");
    const again = await lambda.client.send(new PublishVersionCommand({ FunctionName: "pv" }));
    assert.equal(again.Version, "1");
    await lambda.client.send(new UpdateFunctionCodeCommand({ FunctionName: "pv", ZipFile: zipOf({ "app.py": "x = 2\n" }) }));
    await waitUpdated(lambda.client, "pv");
    await rejects(
      lambda.client.send(new PublishVersionCommand({ FunctionName: "pv", CodeSha256: "abc" })),
      "InvalidParameterValueException",
      `CodeSHA256 (abc) is different from current CodeSHA256 in $LATEST (${(await lambda.client.send(new GetFunctionCommand({ FunctionName: "pv" }))).Configuration!.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      400,
    );
    await rejects(
      lambda.client.send(new PublishVersionCommand({ FunctionName: "pv", RevisionId: "00000000-0000-4000-8000-000000000000" })),
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
      412,
    );
    const v2 = await lambda.client.send(new PublishVersionCommand({ FunctionName: "pv" }));
    assert.equal(v2.Version, "2");
    const listed = await lambda.client.send(new ListVersionsByFunctionCommand({ FunctionName: "pv" }));
    assert.deepEqual(listed.Versions!.map((version) => version.Version), ["$LATEST", "1", "2"]);
    const got = await lambda.client.send(new GetFunctionCommand({ FunctionName: "pv", Qualifier: "1" }));
    assert.equal(got.Configuration?.Version, "1");
    assert.equal(got.Tags, undefined);
  });
});

describe("aliases", () => {
  it("CreateAlias, GetAlias, UpdateAlias with RevisionId, ListAliases, DeleteAlias", async () => {
    await create("al");
    await lambda.client.send(new PublishVersionCommand({ FunctionName: "al" }));
    const created = await lambda.client.send(new CreateAliasCommand({ FunctionName: "al", Name: "live", FunctionVersion: "1", Description: "d" }));
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.equal(created.AliasArn, `${arnOf("al")}:live`);
    await rejects(lambda.client.send(new CreateAliasCommand({ FunctionName: "al", Name: "live", FunctionVersion: "1" })), "ResourceConflictException", `Alias already exists: ${arnOf("al")}:live`, 409);
    await rejects(lambda.client.send(new GetAliasCommand({ FunctionName: "al", Name: "nope" })), "ResourceNotFoundException", `Cannot find alias arn: ${arnOf("al")}:nope`, 404);
    await rejects(lambda.client.send(new CreateAliasCommand({ FunctionName: "al", Name: "next", FunctionVersion: "9" })), "ResourceNotFoundException", `Function not found: ${arnOf("al")}:9`, 404);
    const updated = await lambda.client.send(new UpdateAliasCommand({ FunctionName: "al", Name: "live", FunctionVersion: "$LATEST", RevisionId: created.RevisionId }));
    assert.equal(updated.FunctionVersion, "$LATEST");
    assert.notEqual(updated.RevisionId, created.RevisionId);
    await rejects(
      lambda.client.send(new UpdateAliasCommand({ FunctionName: "al", Name: "live", Description: "x", RevisionId: created.RevisionId })),
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
      412,
    );
    const listed = await lambda.client.send(new ListAliasesCommand({ FunctionName: "al" }));
    assert.deepEqual(listed.Aliases!.map((alias) => alias.Name), ["live"]);
    await lambda.client.send(new DeleteAliasCommand({ FunctionName: "al", Name: "live" }));
    assert.deepEqual((await lambda.client.send(new ListAliasesCommand({ FunctionName: "al" }))).Aliases, []);
  });
});

describe("layers", () => {
  it("PublishLayerVersion, GetLayerVersion(ByArn), ListLayers, ListLayerVersions, DeleteLayerVersion; functions name existing versions only", async () => {
    const zip = zipOf({ "python/shared.py": "VALUE = 1\n" });
    const v1 = await lambda.client.send(new PublishLayerVersionCommand({ LayerName: "shared", Content: { ZipFile: zip }, CompatibleRuntimes: ["python3.12"] }));
    assert.equal(v1.$metadata.httpStatusCode, 201);
    assert.equal(v1.Version, 1);
    assert.equal(v1.LayerVersionArn, "arn:aws:lambda:us-east-1:000000000000:layer:shared:1");
    assert.equal(v1.Content?.CodeSize, zip.length);
    const v2 = await lambda.client.send(new PublishLayerVersionCommand({ LayerName: "shared", Content: { ZipFile: zip } }));
    assert.equal(v2.Version, 2);
    const got = await lambda.client.send(new GetLayerVersionCommand({ LayerName: "shared", VersionNumber: 1 }));
    assert.deepEqual(got.CompatibleRuntimes, ["python3.12"]);
    const byArn = await lambda.client.send(new GetLayerVersionByArnCommand({ Arn: v2.LayerVersionArn! }));
    assert.equal(byArn.Version, 2);
    const layers = await lambda.client.send(new ListLayersCommand({}));
    assert.equal(layers.Layers?.find((layer) => layer.LayerName === "shared")?.LatestMatchingVersion?.Version, 2);
    const versions = await lambda.client.send(new ListLayerVersionsCommand({ LayerName: "shared" }));
    assert.deepEqual(versions.LayerVersions!.map((version) => version.Version), [2, 1]);
    await create("with-layer", { Layers: [v1.LayerVersionArn!] });
    const fn = await lambda.client.send(new GetFunctionCommand({ FunctionName: "with-layer" }));
    assert.deepEqual(fn.Configuration?.Layers, [{ Arn: v1.LayerVersionArn, CodeSize: zip.length }]);
    await rejects(
      create("bad-layer", { Layers: ["arn:aws:lambda:us-east-1:000000000000:layer:shared:9"] }),
      "InvalidParameterValueException",
      "Layer version arn:aws:lambda:us-east-1:000000000000:layer:shared:9 does not exist.",
      400,
    );
    await rejects(create("six-layers", { Layers: Array.from({ length: 6 }, () => v1.LayerVersionArn!) }), "InvalidParameterValueException", "Cannot reference more than 5 layers.", 400);
    await rejects(
      create("twice", { Layers: [v1.LayerVersionArn!, v2.LayerVersionArn!] }),
      "InvalidParameterValueException",
      `Two different versions of the same layer are not allowed to be referenced in the same function. ${v1.LayerVersionArn} and ${v2.LayerVersionArn} are versions of the same layer.`,
      400,
    );
    await lambda.client.send(new DeleteLayerVersionCommand({ LayerName: "shared", VersionNumber: 2 }));
    await rejects(lambda.client.send(new GetLayerVersionCommand({ LayerName: "shared", VersionNumber: 2 })), "ResourceNotFoundException", "Layer version arn:aws:lambda:us-east-1:000000000000:layer:shared:2 does not exist.", 404);
    const v3 = await lambda.client.send(new PublishLayerVersionCommand({ LayerName: "shared", Content: { ZipFile: zip } }));
    assert.equal(v3.Version, 3);
  });
});

describe("tags", () => {
  it("TagResource, ListTags, UntagResource on the function ARN; not on a version", async () => {
    await create("tagged", { Tags: { a: "1" } });
    await lambda.client.send(new TagResourceCommand({ Resource: arnOf("tagged"), Tags: { b: "2" } }));
    assert.deepEqual((await lambda.client.send(new ListTagsCommand({ Resource: arnOf("tagged") }))).Tags, { a: "1", b: "2" });
    await lambda.client.send(new UntagResourceCommand({ Resource: arnOf("tagged"), TagKeys: ["a"] }));
    assert.deepEqual((await lambda.client.send(new ListTagsCommand({ Resource: arnOf("tagged") }))).Tags, { b: "2" });
    await rejects(
      lambda.client.send(new TagResourceCommand({ Resource: `${arnOf("tagged")}:1`, Tags: { c: "3" } })),
      "InvalidParameterValueException",
      "Tags on function aliases and versions are not supported. Please specify a function ARN.",
      400,
    );
  });
});

describe("concurrency and account settings", () => {
  it("reserves concurrency within what must stay unreserved, and GetAccountSettings counts it", async () => {
    await create("reserved");
    assert.deepEqual((await lambda.client.send(new GetFunctionConcurrencyCommand({ FunctionName: "reserved" }))).ReservedConcurrentExecutions, undefined);
    await rejects(
      lambda.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "reserved", ReservedConcurrentExecutions: 901 })),
      "InvalidParameterValueException",
      "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
      400,
    );
    const put = await lambda.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "reserved", ReservedConcurrentExecutions: 10 }));
    assert.equal(put.ReservedConcurrentExecutions, 10);
    assert.equal((await lambda.client.send(new GetFunctionCommand({ FunctionName: "reserved" }))).Concurrency?.ReservedConcurrentExecutions, 10);
    const settings = await lambda.client.send(new GetAccountSettingsCommand({}));
    assert.deepEqual(settings.AccountLimit, {
      TotalCodeSize: 80_530_636_800,
      CodeSizeUnzipped: 262_144_000,
      CodeSizeZipped: 52_428_800,
      ConcurrentExecutions: 1000,
      UnreservedConcurrentExecutions: 990,
    });
    assert.ok(settings.AccountUsage!.FunctionCount! >= 1);
    assert.ok(settings.AccountUsage!.TotalCodeSize! >= handlerZip.length);
    await lambda.client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "reserved" }));
    assert.equal((await lambda.client.send(new GetFunctionConcurrencyCommand({ FunctionName: "reserved" }))).ReservedConcurrentExecutions, undefined);
  });
});
