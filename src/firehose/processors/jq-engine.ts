/**
 * JQ queries for MetadataExtraction, run by jq itself (jq-web: jq 1.7 compiled to WebAssembly —
 * Firehose names its engine JQ-1.6; the two differ only in corners partition-key queries do not
 * reach, docs/firehose.md "Processors").
 *
 * jq-web runs jq's `main` once per call, and a call costs ~2.5 ms before it reads any input
 * (jq compiles its builtins and the filter every time). So records go to jq in batches: their
 * JSON texts, newline-separated, as one input stream, under a wrapper that turns each input into
 * exactly one output line — `{"ok":[…outputs…]}` or `{"error":"…"}` — so line i answers record i
 * and a record whose query fails fails alone. jq stops at the first input it cannot parse, so
 * only texts that JSON.parse accepted are sent.
 */
import type jqModule from "jq-web";
import { createRequire } from "node:module";

type Jq = Awaited<typeof jqModule>;

/** Records per jq run: 1 KiB records run at tens of thousands a second, so a batch holds the event loop ~5–10 ms. */
export const jqBatchRecordsMax = 256;
/** Bytes of input per jq run, so large records do not hold the loop for long either. */
export const jqBatchBytesMax = 512 * 1024;

let loaded: Jq | undefined;
let loading: Promise<Jq> | undefined;

/** Loads the WebAssembly module once per process (~20 ms, no network: the .wasm ships in the package). */
export async function loadJq(): Promise<Jq> {
  if (loaded !== undefined) return loaded;
  loading ??= (async () => {
    // jq-web is CommonJS exporting a promise; createRequire keeps its own `require("fs")` path.
    const required = createRequire(import.meta.url)("jq-web") as Promise<Jq>;
    loaded = await required;
    return loaded;
  })();
  return loading;
}

export type JqOutcome = { readonly ok: true; readonly values: readonly unknown[] } | { readonly ok: false; readonly error: string };

interface JqError extends Error {
  exitCode?: number;
  stderr?: string;
}

/** jq's own message for a filter that does not compile, or undefined when it compiles. */
export function compileError(jq: Jq, query: string): string | undefined {
  try {
    jq.raw("null", `(${query}) | empty`, ["-c"]);
    return undefined;
  } catch (error) {
    const jqError = error as JqError;
    // Exit 3 is jq's compile error; 5 would be a runtime error on `null`, which says nothing about the filter.
    if (jqError.exitCode === 3) return (jqError.stderr ?? jqError.message).trim();
    return undefined;
  }
}

/** A compiled-once query run over many JSON texts. */
export class JqQuery {
  private readonly wrapped: string;
  constructor(
    private readonly jq: Jq,
    readonly query: string,
  ) {
    // `try … catch` keeps jq going after a record whose query raises; `tostring` because error() may carry any value.
    this.wrapped = `try ({ok: [(${query})]}) catch ({error: (. | if type == "string" then . else tojson end)})`;
  }

  /** One outcome per text, in order. Every text must be a single JSON value. */
  run(texts: readonly string[]): JqOutcome[] {
    const outcomes: JqOutcome[] = [];
    let start = 0;
    while (start < texts.length) {
      let end = start;
      let bytes = 0;
      while (end < texts.length && end - start < jqBatchRecordsMax && (end === start || bytes + texts[end]!.length <= jqBatchBytesMax)) {
        bytes += texts[end]!.length + 1;
        end += 1;
      }
      outcomes.push(...this.runBatch(texts.slice(start, end)));
      start = end;
    }
    return outcomes;
  }

  private runBatch(texts: readonly string[]): JqOutcome[] {
    const lines = this.tryRun(texts.join("\n"));
    if (lines !== undefined && lines.length === texts.length) return lines.map(parseLine);
    // A query that reads other inputs (`input`, `inputs`) or halts breaks the one-line-per-input
    // framing: run such batches one record at a time.
    if (texts.length === 1) return [lines === undefined ? { ok: false, error: "The query could not be evaluated." } : { ok: false, error: "The query produced outputs that could not be read." }];
    return texts.flatMap((text) => this.runBatch([text]));
  }

  private tryRun(input: string): string[] | undefined {
    try {
      const stdout = this.jq.raw(input, this.wrapped, ["-c"]) ?? "";
      return stdout === "" ? [] : stdout.split("\n");
    } catch {
      return undefined;
    }
  }
}

function parseLine(line: string): JqOutcome {
  const parsed = JSON.parse(line) as { ok?: unknown[]; error?: string };
  if (parsed.ok !== undefined) return { ok: true, values: parsed.ok };
  return { ok: false, error: String(parsed.error) };
}
