/**
 * NextToken of GetDatabases / GetTables / GetTableVersions: the last name (or position) returned,
 * base64url-encoded JSON, so a token is opaque to callers and a malformed one is recognised.
 */
import { glueErrors } from "./errors.js";

export function encodePageToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), "utf8").toString("base64url");
}

export function decodePageToken(token: string | undefined): string | undefined {
  if (token === undefined || token === "") return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // Answered below.
  }
  throw glueErrors.invalidInput("Invalid pagination token");
}
