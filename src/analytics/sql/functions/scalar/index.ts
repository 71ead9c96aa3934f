/**
 * The scalar functions of the Amazon Kinesis Data Analytics SQL Reference, for the function
 * registry (registry.ts looks them up by upper-case name). A name not listed here is a compile
 * error, never a silent null. docs/analytics/functions.md lists what each supports.
 */
import type { ScalarFunction } from "../contracts.js";
import { datetimeFunctions } from "./datetime-functions.js";
import { logParsingFunctions } from "./log/index.js";
import { nullFunctions } from "./null-functions.js";
import { numericFunctions } from "./numeric-functions.js";
import { stringFunctions } from "./string-functions.js";

export const scalarFunctions: ScalarFunction[] = [...stringFunctions, ...numericFunctions, ...datetimeFunctions, ...nullFunctions, ...logParsingFunctions];
