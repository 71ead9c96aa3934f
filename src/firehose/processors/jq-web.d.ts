/** jq-web ships no types: its CommonJS export is a promise of jq's WebAssembly module. */
declare module "jq-web" {
  interface JqModule {
    /** `echo <input> | jq <flags> <filter>`: stdout, or throws an Error with `exitCode` and `stderr`. */
    raw(input: string, filter: string, flags?: string[]): string | undefined;
  }
  const jq: Promise<JqModule>;
  export default jq;
}
