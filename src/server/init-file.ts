/**
 * The provisioning file of `--init` / TRIBUTARY_INIT / startServer's `init` (docs/testing.md):
 *
 *   { "streams": [ { <CreateStream request>, "Consumers"?: ["name", …] }, … ],
 *     "tables":  [ { <CreateTable request> }, … ],
 *     "buckets": [ { <CreateBucket request> }, … ],
 *     "functions": [ { <CreateFunction request>, "EventSourceMappings"?: [ { <CreateEventSourceMapping request> }, … ] }, … ],
 *     "deliveryStreams": [ { <CreateDeliveryStream request> }, … ],
 *     "glueDatabases": [ { <CreateDatabase request>, "Tables"?: [ { <CreateTable request> }, … ] }, … ],
 *     "applications": [ { <CreateApplication request>, "StartApplication"?: { <StartApplication request> } }, … ] }
 *
 * Each key is the section of the service that declares it (`ServiceModule.provision`,
 * protocol/provisioning.ts), so a service added later adds its own (buckets, functions,
 * deliveryStreams…) by declaring it. This module only checks the file's frame — a JSON object whose
 * keys are sections and whose sections are lists of objects. What an entry says is checked when it
 * runs, by the action it is a request of (init-provision.ts), so a bad entry gets AWS's own error for
 * that request.
 */
import { readFile, stat } from "node:fs/promises";
import { InitError } from "../protocol/provisioning.js";
import { services } from "./services.js";

export { InitError };

/** Far more than any list of streams and tables; a bound so a wrong path cannot fill memory. */
export const initFileBytesMax = 4 * 1024 * 1024;

/** The sections the file may hold, in the services' order, with what each entry is ("CreateStream request"). */
const sections: ReadonlyMap<string, string> = new Map(services.flatMap((module) => (module.provision === undefined ? [] : [[module.provision.section, module.provision.entryKind]])));

/** The lists the file may hold: the registered services' sections ("streams", "tables"). */
export const initListNames: readonly string[] = [...sections.keys()];

/** Every section, present or not (an absent one is empty). */
export type InitDocument = Readonly<Record<string, readonly Record<string, unknown>[]>>;

export type InitCheckOutcome = { ok: true; document: InitDocument } | { ok: false; message: string };

/** `"streams" and "tables"`; `"a", "b" and "c"`. */
const quotedList = (names: readonly string[]) => {
  const quoted = names.map((name) => `"${name}"`);
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}`;
};

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Checks a parsed provisioning document's frame; `source` names it in messages. */
export function checkInitDocument(value: unknown): InitCheckOutcome {
  if (!isObject(value)) return { ok: false, message: `expected a JSON object with ${quotedList(initListNames)} lists` };
  const lists: Record<string, Record<string, unknown>[]> = Object.fromEntries(initListNames.map((name) => [name, []]));
  for (const [key, list] of Object.entries(value)) {
    const entryKind = sections.get(key);
    if (entryKind === undefined) return { ok: false, message: `unknown key "${key}": this server provisions ${quotedList(initListNames)}` };
    if (!Array.isArray(list)) return { ok: false, message: `"${key}" must be a list of requests` };
    for (const [index, entry] of list.entries()) {
      if (!isObject(entry)) return { ok: false, message: `${key}[${index}] must be an object (a ${entryKind})` };
    }
    lists[key] = list as Record<string, unknown>[];
  }
  return { ok: true, document: lists };
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
