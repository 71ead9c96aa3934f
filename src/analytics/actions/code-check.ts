/** The code check of CreateApplication, UpdateApplication and AddApplicationInput: the engine compiles it against the configuration. */
import type { AnalyticsContext } from "../context.js";
import type { StoredApplication } from "../model.js";
import { analyticsErrors } from "../errors.js";
import { codeUnitOf, hasCode } from "../runtime/compiler.js";

export function checkCode(context: AnalyticsContext, application: StoredApplication): void {
  if (!hasCode(application)) return;
  const result = context.compile(codeUnitOf(application));
  if (!result.ok) throw analyticsErrors.code(result.error);
}
