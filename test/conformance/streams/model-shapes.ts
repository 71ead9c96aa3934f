/**
 * The Kinesis API model as test/fixtures/kinesis-model/ holds it (extracted from botocore by
 * scripts/kinesis-model-constraints.mjs), the installed SDK's view of the same operations, and a
 * comparison of a model shape with one of our request shapes that names every difference.
 */
import { readFileSync } from "node:fs";
import * as sdk from "@aws-sdk/client-kinesis";
import type { Shape } from "../../../src/protocol/shapes.js";

export interface ModelShape {
  type: string;
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  members?: Record<string, ModelShape>;
  member?: ModelShape;
  key?: ModelShape;
  value?: ModelShape;
  recursive?: string;
  eventstream?: boolean;
}

export interface ModelOperation {
  input: ModelShape | null;
  output: ModelShape | null;
  errors: string[];
}

export interface KinesisModel {
  source: string;
  apiVersion: string;
  operations: Record<string, ModelOperation>;
}

export const model: KinesisModel = JSON.parse(
  readFileSync(new URL("../../fixtures/kinesis-model/kinesis-2013-12-02.json", import.meta.url), "utf8"),
);

/** One structure as the SDK's schema lists it: member names, and the required ones (the schema lists those first). */
export interface SdkStructure {
  members: string[];
  required: string[];
}

/**
 * The installed SDK's operations and their input/output members, read from the schemas it exports
 * (`<Operation>$` = [9, namespace, name, traits, input(), output()]; a structure is
 * [3, namespace, name, traits, memberNames, memberSchemas, requiredCount?]).
 */
export function sdkOperations(): Map<string, { input: SdkStructure; output: SdkStructure }> {
  const operations = new Map<string, { input: SdkStructure; output: SdkStructure }>();
  for (const [exported, value] of Object.entries(sdk)) {
    if (!exported.endsWith("$") || !Array.isArray(value) || value[0] !== 9) continue;
    const structure = (thunk: unknown): SdkStructure => {
      const schema = typeof thunk === "function" ? thunk() : thunk;
      if (!Array.isArray(schema) || schema[0] !== 3) return { members: [], required: [] };
      const members = schema[4] as string[];
      const requiredCount = typeof schema[6] === "number" ? schema[6] : 0;
      return { members: [...members], required: members.slice(0, requiredCount) };
    };
    operations.set(value[2] as string, { input: structure(value[4]), output: structure(value[5]) });
  }
  return operations;
}

/** AWS writes some patterns anchored (`^(…)$`) in newer models; the constraint is the same. */
function unanchored(pattern: string | undefined): string | undefined {
  if (pattern === undefined) return undefined;
  const match = /^\^\((.*)\)\$$/.exec(pattern) ?? /^\^(.*)\$$/.exec(pattern);
  return match ? match[1] : pattern;
}

const numeric = new Set(["integer", "long"]);

/** Our shape's bounds and patterns in the model's terms (list/map member traits folded back onto the member). */
function ourTraits(shape: Shape): { min?: number; max?: number; pattern?: string; enum?: readonly string[] } {
  switch (shape.type) {
    case "integer":
    case "long":
      return { min: shape.min, max: shape.max };
    case "string":
      return { min: shape.lengthMin, max: shape.lengthMax, pattern: shape.pattern, enum: shape.enum };
    case "blob":
    case "list":
    case "map":
      return { min: shape.lengthMin, max: shape.lengthMax };
    default:
      return {};
  }
}

/**
 * Every difference between a model shape and ours, as `path: what` lines. Blob and string minimum
 * lengths of 0 are the same as none; enums compare as sets (AWS's messages print them in its
 * server's order, which our shapes keep).
 */
export function compareShapes(modelShape: ModelShape | undefined, ours: Shape | undefined, path: string, out: string[] = []): string[] {
  if (modelShape === undefined && ours === undefined) return out;
  if (modelShape === undefined) {
    out.push(`${path}: member not in the model`);
    return out;
  }
  if (ours === undefined) {
    out.push(`${path}: member missing`);
    return out;
  }
  const sameType = modelShape.type === ours.type || (numeric.has(modelShape.type) && numeric.has(ours.type));
  if (!sameType) {
    out.push(`${path}: type ${ours.type}, model ${modelShape.type}`);
    return out;
  }
  if (Boolean(modelShape.required) !== Boolean(ours.required)) {
    out.push(`${path}: required ${Boolean(ours.required)}, model ${Boolean(modelShape.required)}`);
  }
  const traits = ourTraits(ours);
  const zeroIsNone = modelShape.type === "blob" || modelShape.type === "string";
  const modelMin = zeroIsNone && modelShape.min === 0 ? undefined : modelShape.min;
  const ourMin = zeroIsNone && traits.min === 0 ? undefined : traits.min;
  if (modelMin !== ourMin) out.push(`${path}: min ${ourMin}, model ${modelMin}`);
  if (modelShape.max !== traits.max) out.push(`${path}: max ${traits.max}, model ${modelShape.max}`);
  if (unanchored(modelShape.pattern) !== unanchored(traits.pattern)) {
    out.push(`${path}: pattern ${traits.pattern}, model ${modelShape.pattern}`);
  }
  const modelEnum = modelShape.enum ? [...modelShape.enum].sort().join(",") : undefined;
  const ourEnum = traits.enum ? [...traits.enum].sort().join(",") : undefined;
  if (modelEnum !== ourEnum) out.push(`${path}: enum ${ourEnum}, model ${modelEnum}`);

  if (ours.type === "structure") {
    const modelMembers = modelShape.members ?? {};
    for (const name of new Set([...Object.keys(modelMembers), ...Object.keys(ours.members)])) {
      compareShapes(modelMembers[name], ours.members[name], `${path}.${name}`, out);
    }
  } else if (ours.type === "list") {
    const member = { ...ours.member } as Shape & { lengthMin?: number; lengthMax?: number; enum?: readonly string[] };
    if (ours.memberLength) [member.lengthMin, member.lengthMax] = ours.memberLength;
    if (ours.memberEnum) member.enum = ours.memberEnum;
    compareShapes(modelShape.member, member, `${path}[]`, out);
  } else if (ours.type === "map") {
    const [keyMin, keyMax] = ours.keyLength ?? [undefined, undefined];
    compareShapes(modelShape.key, { type: "string", lengthMin: keyMin, lengthMax: keyMax }, `${path}{key}`, out);
    const value = { ...ours.value } as Shape & { lengthMin?: number; lengthMax?: number };
    if (ours.valueLength) [value.lengthMin, value.lengthMax] = ours.valueLength;
    compareShapes(modelShape.value, value, `${path}{value}`, out);
  }
  return out;
}

/**
 * Every difference between a response value and the model's output shape: members the model does
 * not have, required members missing, and enum values outside the model's set.
 */
export function compareResponse(modelShape: ModelShape, value: unknown, path: string, out: string[] = []): string[] {
  if (value === undefined || value === null) return out;
  if (modelShape.type === "structure" && modelShape.members) {
    if (typeof value !== "object" || Array.isArray(value)) {
      out.push(`${path}: not a structure`);
      return out;
    }
    const record = value as Record<string, unknown>;
    for (const name of Object.keys(record)) {
      if (!(name in modelShape.members)) out.push(`${path}.${name}: not in the model`);
    }
    for (const [name, member] of Object.entries(modelShape.members)) {
      if (member.required && record[name] === undefined) out.push(`${path}.${name}: required, missing`);
      if (record[name] !== undefined) compareResponse(member, record[name], `${path}.${name}`, out);
    }
  } else if (modelShape.type === "list" && modelShape.member) {
    if (!Array.isArray(value)) out.push(`${path}: not a list`);
    else value.forEach((item, index) => compareResponse(modelShape.member!, item, `${path}[${index}]`, out));
  } else if (modelShape.enum && !modelShape.enum.includes(value as string)) {
    out.push(`${path}: ${String(value)} not in the model's enum`);
  }
  return out;
}
