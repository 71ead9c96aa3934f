/**
 * Compiling an application's code against its configuration: the in-application input streams and
 * reference tables (application-schema.ts). CreateApplication, UpdateApplication and
 * AddApplicationInput check the code with it (a SqlCompileError becomes CodeValidationException).
 */
import type { CompileRequest } from "../engine/contracts.js";
import type { StoredApplication } from "../model.js";
import type { SqlCompileError } from "../sql/types.js";
import { compileApplication } from "../engine/compile.js";
import { functionRegistry } from "../sql/functions/registry.js";
import { inputStreamSchemas, referenceSchemas } from "./application-schema.js";

/** What an application's code is compiled with (the worker receives it as a message). */
export type CodeUnit = Omit<CompileRequest, "functions">;

export type CodeCheck = { ok: true } | { ok: false; error: SqlCompileError };

export type CodeCompiler = (unit: CodeUnit) => CodeCheck;

/** Checks the code as the engine compiles it: syntax, names, types, functions. */
export const compileCode: CodeCompiler = (unit) => {
  const result = compileApplication({ ...unit, functions: functionRegistry });
  return result.ok ? { ok: true } : { ok: false, error: result.error };
};

/** RANDOM_CUT_FOREST's seed: fixed per application incarnation, so a restart scores as the run before it. */
export function seedOf(incarnationId: string): number {
  return Number.parseInt(incarnationId.slice(0, 8), 16) >>> 0;
}

export function codeUnitOf(application: Pick<StoredApplication, "ApplicationCode" | "inputs" | "references" | "incarnationId">): CodeUnit {
  return { code: application.ApplicationCode, inputs: inputStreamSchemas(application), references: referenceSchemas(application), seed: seedOf(application.incarnationId) };
}

/** Whether there is code to compile: an application may be created before it has any. */
export function hasCode(application: Pick<StoredApplication, "ApplicationCode">): boolean {
  return application.ApplicationCode.trim() !== "";
}
