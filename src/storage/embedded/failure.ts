/** How the embedded engine's fs errors become storage outcomes, and the error for damaged acknowledged data. */
import { isNoSpace } from "./fs-port.js";
import type { StorageFailure } from "../types.js";

export function storageFailure(error: unknown, doing: string): StorageFailure {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: isNoSpace(error) ? "no-space" : "io", message: `${doing}: ${code ? `${code} ` : ""}${detail}`.trim(), cause: error };
}

/** Thrown by reads that meet bytes which fail their checks inside data that was acknowledged. */
export class StorageCorruptionError extends Error {
  override name = "StorageCorruptionError";
}
