/**
 * A filter pattern the compiler refuses. Its message says what is wrong, for our logs and tests;
 * the caller answers Lambda's one wording for every such pattern ("Invalid filter pattern
 * definition.", index.ts), since Lambda names no detail.
 */
export class InvalidPattern extends Error {
  override name = "InvalidPattern";
}
