// Shared set-up of the runtime tests (test/lambda/runtime-*.test.ts): an executor over a temporary
// sandbox root, a CodeStore holding zips in memory, function logs in a memory engine's tables,
// and ResolvedFunctions built from a few fields.
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFunctionLogs } from "../../src/lambda/logs/index.js";
import type { CodeRef, CodeStore, Executor, FunctionLogs, InvokeResult, ResolvedFunction, ResolvedLayer } from "../../src/lambda/model.js";
import { createExecutor } from "../../src/lambda/runtime/index.js";
import { ServiceTables } from "../../src/lambda/service-tables.js";
import { createMemoryEngine } from "../../src/storage/memory/memory-engine.js";
import { systemClock } from "../../src/util/clock.js";
import { silentLogger } from "../../src/util/logger.js";
import { systemRandom } from "../../src/util/random.js";
import { zipOf, type ZipEntry } from "../helpers/zip.js";

export const accountId = "000000000000";
export const region = "us-east-1";

export interface RuntimeFixture {
  readonly executor: Executor;
  readonly logs: FunctionLogs;
  readonly sandboxRoot: string;
  codeOf(files: Record<string, ZipEntry>): CodeRef;
  functionOf(name: string, fields: Partial<Omit<ResolvedFunction, "layers">> & { files: Record<string, ZipEntry>; layers?: Record<string, ZipEntry>[] }): ResolvedFunction;
  invoke(fn: ResolvedFunction, event: unknown, options?: { tail?: boolean; requestId?: string }): Promise<Extract<InvokeResult, { kind: "completed" }> & { json: unknown; tail: string }>;
  close(): Promise<void>;
}

export function runtimeFixture(options: { endpointUrl?: string; sandboxParent?: string } = {}): RuntimeFixture {
  const sandboxRoot = mkdtempSync(join(options.sandboxParent ?? tmpdir(), "tributary-runtime-"));
  const zips = new Map<string, Buffer>();
  const code: CodeStore = {
    async readZip(ref) {
      const zip = zips.get(ref.objectKey);
      if (zip === undefined) throw new Error(`no zip ${ref.objectKey}`);
      return zip;
    },
  };
  const engine = createMemoryEngine(systemRandom);
  const logs = createFunctionLogs({ tables: engine.tables, serviceTables: new ServiceTables(engine.tables, systemClock, systemRandom), clock: systemClock });
  const executor = createExecutor({
    clock: systemClock,
    random: systemRandom,
    logger: silentLogger,
    region,
    options: { functionsEnabled: true, sandboxRoot },
    code,
    logs,
    endpointUrl: () => options.endpointUrl,
  });
  const codeOf = (files: Record<string, ZipEntry>): CodeRef => {
    const zip = zipOf(files);
    const sha256Base64 = createHash("sha256").update(zip).digest("base64");
    const objectKey = `code/${sha256Base64}`;
    zips.set(objectKey, zip);
    return { objectKey, sha256Base64, sizeBytes: zip.length };
  };
  const fixture: RuntimeFixture = {
    executor,
    logs,
    sandboxRoot,
    codeOf,
    functionOf(name, fields) {
      const { files, layers = [], ...rest } = fields;
      const functionArn = `arn:aws:lambda:${region}:${accountId}:function:${name}`;
      const resolvedLayers: ResolvedLayer[] = layers.map((layerFiles, index) => ({ arn: `arn:aws:lambda:${region}:${accountId}:layer:l${index}:1`, code: codeOf(layerFiles) }));
      return {
        accountId,
        region,
        functionName: name,
        functionArn,
        versionArn: `${functionArn}:$LATEST`,
        invokedArn: functionArn,
        version: "$LATEST",
        revisionId: randomUUID(),
        runtime: "nodejs20.x",
        handler: "index.handler",
        code: codeOf(files),
        layers: resolvedLayers,
        environment: {},
        timeoutSeconds: 3,
        memorySizeMB: 128,
        ephemeralStorageMB: 512,
        role: `arn:aws:iam::${accountId}:role/test`,
        architecture: "x86_64",
        logGroupName: `/aws/lambda/${name}`,
        ...rest,
      };
    },
    async invoke(fn, event, invokeOptions = {}) {
      const result = await executor.invoke(fn, {
        payload: Buffer.from(JSON.stringify(event)),
        requestId: invokeOptions.requestId ?? randomUUID(),
        ...(invokeOptions.tail ? { logType: "Tail" as const } : {}),
      });
      if (result.kind !== "completed") throw new Error(`throttled: ${result.reason}`);
      const text = result.payload.toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { ...result, json, tail: result.logResultBase64 === undefined ? "" : Buffer.from(result.logResultBase64, "base64").toString("utf8") };
    },
    async close() {
      await executor.stop();
      rmSync(sandboxRoot, { recursive: true, force: true });
    },
  };
  return fixture;
}
