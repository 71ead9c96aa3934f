/** FilterCriteria for the engine and the API: Lambda's event filtering, from the filter module. */
export { compileFilterCriteria, validateFilterCriteria, type RecordFilter } from "./filter/index.js";
