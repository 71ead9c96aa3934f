/**
 * The provisioning file of `--init` / TRIBUTARY_INIT / startServer's `init` (docs/testing.md):
 *
 *   { "streams": [ { <CreateStream request>, "Consumers"?: ["name", …] }, … ],
 *     "tables":  [ { <CreateTable request> }, … ] }
 *
 * This module only checks the file's frame — a JSON object whose keys are lists of objects. What
 * an entry says is checked when it runs, by the action it is a request of (init-provision.ts), so
 * a bad entry gets AWS's own error for that request.
 */
import { readFile, stat } from "node:fs/promises";

/** Far more than any list of streams and tables; a bound so a wrong path cannot fill memory. */
export const initFileBytesMax = 4 * 1024 * 1024;

/** The lists the file may hold; services added later add theirs (buckets, functions, deliveryStreams…). */
export const initListNames = ["streams", "tables"] as const;

export interface InitDocument {
  streams: readonly Record<string, unknown>[];
  tables: readonly Record<string, unknown>[];
}

/** A provisioning file or entry that cannot be applied: the start stops with this message. */
export class InitError extends Error {
  override readonly name = "InitError";
}

export type InitCheckOutcome = { ok: true; document: InitDocument } | { ok: false; message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Checks a parsed provisioning document's frame; `source` names it in messages. */
export function checkInitDocument(value: unknown): InitCheckOutcome {
  if (!isObject(value)) return { ok: false, message: `expected a JSON object with ${initListNames.map((name) => `"${name}"`).join(" and ")} lists` };
  const lists: Record<string, Record<string, unknown>[]> = { streams: [], tables: [] };
  for (const [key, list] of Object.entries(value)) {
    if (!(initListNames as readonly string[]).includes(key)) {
      return { ok: false, message: `unknown key "${key}": this server provisions ${initListNames.map((name) => `"${name}"`).join(" and ")}` };
    }
    if (!Array.isArray(list)) return { ok: false, message: `"${key}" must be a list of requests` };
    for (const [index, entry] of list.entries()) {
      if (!isObject(entry)) return { ok: false, message: `${key}[${index}] must be an object (a ${key === "streams" ? "CreateStream" : "CreateTable"} request)` };
    }
    lists[key] = list as Record<string, unknown>[];
  }
  return { ok: true, document: { streams: lists.streams!, tables: lists.tables! } };
}

/** Reads and checks a provisioning file; throws InitError naming the file and the problem. */
export async function readInitFile(path: string): Promise<InitDocument> {
  let text: string;
  try {
    const sizeBytes = (await stat(path)).size;
    if (sizeBytes > initFileBytesMax) throw new Error(`it is ${sizeBytes} bytes; at most ${initFileBytesMax} are read`);
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InitError(`cannot read the init file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InitError(`the init file ${path} is not JSON: ${(error as Error).message}`);
  }
  const checked = checkInitDocument(value);
  if (!checked.ok) throw new InitError(`the init file ${path}: ${checked.message}`);
  return checked.document;
}
