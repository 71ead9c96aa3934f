/**
 * Deployment packages and layer archives leave the internal code bucket once no function
 * (`$LATEST` or a published version, with its layers) and no layer version names them: after
 * DeleteFunction, a version's deletion, UpdateFunctionCode replacing code no version shares,
 * UpdateFunctionConfiguration detaching the last user of a deleted layer version's archive,
 * DeleteLayerVersion, a DryRun, and a failed creation. Under concurrency a zip still named is
 * never deleted: creations reusing a zip race with deletions of the functions that held it, and
 * the code store's pins are driven through the interleavings that would lose a zip without them.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteLayerVersionCommand,
  GetFunctionCommand,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { codeBucketName, ObjectCodeStore } from "../../src/lambda/code-store.js";
import { createMemoryEngine } from "../../src/storage/memory/memory-engine.js";
import { systemClock } from "../../src/util/clock.js";
import { silentLogger } from "../../src/util/logger.js";
import { systemRandom } from "../../src/util/random.js";
import type { LambdaInstance } from "../../src/lambda/index.js";
import { zipOf } from "../helpers/zip.js";
import { createActive, role, startLambdaServer, waitUpdated, type LambdaTestServer } from "./api-fixtures.js";

let lambda: LambdaTestServer;
before(async () => {
  lambda = await startLambdaServer();
});
after(() => lambda.stop());

const zip = (marker: string) => zipOf({ "index.mjs": `export const handler = async () => ${JSON.stringify(marker)};\n` });
const keyOf = (bytes: Uint8Array) => `000000000000/${createHash("sha256").update(bytes).digest("hex")}.zip`;

/** The keys in the code bucket now. */
async function storedKeys(): Promise<string[]> {
  const objects = lambda.server.app!.service<LambdaInstance>("lambda")!.context.objects;
  return (await objects.listObjects(codeBucketName, { limit: 1000 })).map((object) => object.key);
}

async function create(name: string, code: Uint8Array, extra: Record<string, unknown> = {}): Promise<void> {
  await createActive(lambda.client, { FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: code }, ...extra });
}

describe("code cleanup", () => {
  it("DeleteFunction removes a zip only when the last function naming it goes", async () => {
    const shared = zip("shared");
    await create("a", shared);
    await create("b", shared);
    assert.deepEqual(await storedKeys(), [keyOf(shared)]);
    await lambda.client.send(new DeleteFunctionCommand({ FunctionName: "a" }));
    assert.deepEqual(await storedKeys(), [keyOf(shared)]);
    await lambda.client.send(new DeleteFunctionCommand({ FunctionName: "b" }));
    assert.deepEqual(await storedKeys(), []);
  });

  it("UpdateFunctionCode removes replaced code no version shares; deleting the version removes its code", async () => {
    const [v1, v2, v3] = [zip("one"), zip("two"), zip("three")];
    await create("c", v1);
    await lambda.client.send(new PublishVersionCommand({ FunctionName: "c" }));
    await lambda.client.send(new UpdateFunctionCodeCommand({ FunctionName: "c", ZipFile: v2 }));
    await waitUpdated(lambda.client, "c");
    assert.deepEqual((await storedKeys()).sort(), [keyOf(v1), keyOf(v2)].sort(), "version 1 keeps the first zip");
    await lambda.client.send(new UpdateFunctionCodeCommand({ FunctionName: "c", ZipFile: v3 }));
    await waitUpdated(lambda.client, "c");
    assert.deepEqual((await storedKeys()).sort(), [keyOf(v1), keyOf(v3)].sort(), "the second zip was $LATEST's only");
    await lambda.client.send(new UpdateFunctionCodeCommand({ FunctionName: "c", ZipFile: zip("dry"), DryRun: true }));
    assert.deepEqual((await storedKeys()).sort(), [keyOf(v1), keyOf(v3)].sort(), "a DryRun leaves nothing behind");
    await lambda.client.send(new DeleteFunctionCommand({ FunctionName: "c", Qualifier: "1" }));
    assert.deepEqual(await storedKeys(), [keyOf(v3)]);
    const got = await lambda.client.send(new GetFunctionCommand({ FunctionName: "c" }));
    const download = await fetch(got.Code!.Location!);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), v3);
    await lambda.client.send(new DeleteFunctionCommand({ FunctionName: "c" }));
    assert.deepEqual(await storedKeys(), []);
  });

  it("a layer's archive stays while a function uses the deleted version, and goes when the last user lets go", async () => {
    const layerZip = zipOf({ "nodejs/lib.js": "module.exports = 1;\n" });
    const layer = await lambda.client.send(new PublishLayerVersionCommand({ LayerName: "lib", Content: { ZipFile: layerZip } }));
    const code = zip("with-layer");
    await create("d", code, { Layers: [layer.LayerVersionArn!] });
    await lambda.client.send(new DeleteLayerVersionCommand({ LayerName: "lib", VersionNumber: layer.Version! }));
    assert.deepEqual((await storedKeys()).sort(), [keyOf(code), keyOf(layerZip)].sort());
    await lambda.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "d", Layers: [] }));
    await waitUpdated(lambda.client, "d");
    assert.deepEqual(await storedKeys(), [keyOf(code)]);
    const unused = zipOf({ "python/mod.py": "x = 1\n" });
    const other = await lambda.client.send(new PublishLayerVersionCommand({ LayerName: "unused", Content: { ZipFile: unused } }));
    assert.ok((await storedKeys()).includes(keyOf(unused)));
    await lambda.client.send(new DeleteLayerVersionCommand({ LayerName: "unused", VersionNumber: other.Version! }));
    assert.deepEqual(await storedKeys(), [keyOf(code)]);
    await lambda.client.send(new DeleteFunctionCommand({ FunctionName: "d" }));
    assert.deepEqual(await storedKeys(), []);
  });

  it("a creation that fails after storing its zip leaves nothing behind", async () => {
    await create("e", zip("e"));
    await assert.rejects(
      lambda.client.send(new CreateFunctionCommand({ FunctionName: "f", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: zip("f") }, Layers: ["arn:aws:lambda:us-east-1:000000000000:layer:none:1"] })),
      { name: "InvalidParameterValueException" },
    );
    assert.deepEqual(await storedKeys(), [keyOf(zip("e"))]);
    await lambda.client.send(new DeleteFunctionCommand({ FunctionName: "e" }));
  });

  it("under concurrency: creations reusing a zip race with deletions of the functions holding it, and every function left can read its code", async () => {
    const shared = zip("raced");
    await create("race-0", shared);
    for (let round = 1; round <= 30; round++) {
      // The previous holder is deleted while the next creation stores (finds) the same zip.
      await Promise.all([
        lambda.client.send(new DeleteFunctionCommand({ FunctionName: `race-${round - 1}` })),
        lambda.client.send(new CreateFunctionCommand({ FunctionName: `race-${round}`, Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: shared } })),
      ]);
      assert.deepEqual(await storedKeys(), [keyOf(shared)], `round ${round}: the zip race-${round} names is stored`);
    }
    const got = await lambda.client.send(new GetFunctionCommand({ FunctionName: "race-30" }));
    assert.deepEqual(Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer()), shared);
    await lambda.client.send(new DeleteFunctionCommand({ FunctionName: "race-30" }));
    assert.deepEqual(await storedKeys(), []);
  });
});

describe("code store pins", () => {
  /** A code store whose reference scan the test answers (and may hold). */
  async function codeStore() {
    const objects = createMemoryEngine(systemRandom).objects;
    let named = new Set<string>();
    let hold: Promise<void> | undefined;
    const store = new ObjectCodeStore(objects, systemClock, "us-east-1", async () => {
      const snapshot = new Set(named);
      await hold;
      return snapshot;
    }, silentLogger);
    await store.open();
    const exists = async (key: string) => (await objects.getObject(codeBucketName, key)) !== undefined;
    return {
      store,
      exists,
      name: (keys: string[]) => (named = new Set(keys)),
      holdScans: () => {
        let release!: () => void;
        hold = new Promise((resolve) => (release = resolve));
        return () => {
          hold = undefined;
          release();
        };
      },
    };
  }

  it("a zip found by putZip while a collection is scanning is not deleted; it is collected once its lease ends unnamed", async () => {
    const { store, exists, holdScans } = await codeStore();
    const bytes = zip("pinned");
    const first = store.lease("000000000000");
    const code = await store.putZip(first, bytes);
    first.release();
    // A collection has scanned (nothing names the zip) when a creation finds the zip stored.
    const releaseScan = holdScans();
    const collecting = store.collect("000000000000", [code.objectKey]);
    const second = store.lease("000000000000");
    await store.putZip(second, bytes);
    releaseScan();
    await collecting;
    assert.ok(await exists(code.objectKey), "the creation's pin kept the zip");
    // The creation fails: nothing names the zip when its pin goes, so the deferred collection removes it.
    second.release();
    await waitForValue(async () => !(await exists(code.objectKey)));
  });

  it("a collection and a putZip of the same zip at once: the zip is there afterwards", async () => {
    const { store, exists } = await codeStore();
    const bytes = zip("again");
    const first = store.lease("000000000000");
    const code = await store.putZip(first, bytes);
    first.release();
    const collecting = store.collect("000000000000", [code.objectKey]);
    const second = store.lease("000000000000");
    const stored = store.putZip(second, bytes);
    await Promise.all([collecting, stored]);
    assert.ok(await exists(code.objectKey));
    assert.deepEqual(await store.readZip(code), bytes);
    second.release();
  });

  it("a pinned zip that is named by the time its lease ends stays", async () => {
    const { store, exists, name } = await codeStore();
    const lease = store.lease("000000000000");
    const code = await store.putZip(lease, zip("kept"));
    await store.collect("000000000000", [code.objectKey]);
    name([code.objectKey]);
    lease.release();
    await new Promise((resolve) => setImmediate(resolve));
    await store.collect("000000000000", [code.objectKey]);
    assert.ok(await exists(code.objectKey));
  });
});

async function waitForValue(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail("the condition did not hold");
}
