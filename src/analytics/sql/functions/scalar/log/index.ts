/** The reference's log parsing functions; each returns a ROW whose columns its constant arguments decide. */
import type { ScalarFunction } from "../../contracts.js";
import { fixedColumnLogParse, variableColumnLogParse } from "./column-parsers.js";
import { fastRegexLogParsers, regexLogParse } from "./regex-parsers.js";
import { sysLogParse, w3cLogParse } from "./web-and-sys-parsers.js";

export const logParsingFunctions: ScalarFunction[] = [
  ...fastRegexLogParsers,
  regexLogParse,
  variableColumnLogParse,
  fixedColumnLogParse,
  w3cLogParse,
  sysLogParse,
];
