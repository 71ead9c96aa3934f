/**
 * The credentials file of `--auth sigv4` (docs/auth.md): access keys and who they belong to.
 *
 *   { "credentials": [
 *     { "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
 *       "sessionToken"?: "…", "accountId": "111122223333", "principalArn": "arn:aws:iam::111122223333:user/alice",
 *       "policies": [ { "Version": "2012-10-17", "Statement": [ … ] } ] } ] }
 *
 * Reloaded without a restart: a watch on the file's directory (editors replace files rather than
 * write them, which a watch on the file itself would miss) and, as a backstop where watches are
 * unreliable (network filesystems), a stat at most every `checkIntervalMs` when a key is looked
 * up. A new version that does not parse keeps the credentials already loaded and is logged once.
 * Secrets are never logged: messages name entries by position and access key id only.
 */
import { watch as watchDirectory, type FSWatcher } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { Principal } from "./principal.js";
import { findJsonSyntaxError } from "./json-syntax.js";
import { parsePolicyObject } from "./policy/parse.js";
import type { PolicyDocument } from "./policy/types.js";
import type { SigningCredential } from "./sigv4/index.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";

/** Larger than any sensible set of keys and policies; a bound so a wrong path cannot fill memory. */
export const credentialsFileBytesMax = 4 * 1024 * 1024;

/** How often a lookup checks the file for a change the watch did not report. */
export const credentialsCheckIntervalMsDefault = 1000;

export type CredentialEntry = SigningCredential<Principal>;

/** The file system calls the credentials file needs, injected so tests can replace them. */
export interface CredentialsFilePort {
  /** An identity of the file's current version (inode, size, mtime), or undefined if it is gone. */
  version(path: string): Promise<string | undefined>;
  read(path: string, bytesMax: number): Promise<string>;
  /** Calls `changed` when the file may have changed; returns a closer, or undefined if watching is not possible. */
  watch(path: string, changed: () => void): (() => void) | undefined;
}

export const nodeCredentialsFilePort: CredentialsFilePort = {
  async version(path) {
    try {
      const stats = await stat(path);
      return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    } catch {
      return undefined;
    }
  },
  async read(path, bytesMax) {
    const stats = await stat(path);
    if (stats.size > bytesMax) throw new Error(`the file is ${stats.size} bytes; at most ${bytesMax} are read`);
    return readFile(path, "utf8");
  },
  watch(path, changed) {
    let watcher: FSWatcher;
    try {
      watcher = watchDirectory(dirname(path), { persistent: false }, (_event, name) => {
        if (name === null || name.toString() === basename(path)) changed();
      });
    } catch {
      return undefined;
    }
    watcher.on("error", () => watcher.close());
    return () => watcher.close();
  },
};

export type CredentialsParseOutcome = { ok: true; entries: ReadonlyMap<string, CredentialEntry> } | { ok: false; message: string };

const accessKeyIdPattern = /^\w{1,128}$/;
const accountIdPattern = /^\d{12}$/;
const principalArnPattern = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):\S+$/;
const entryFields = new Set(["accessKeyId", "secretAccessKey", "sessionToken", "accountId", "principalArn", "policies", "admin"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Checks a credentials file's text; the first problem is reported, naming the entry. */
export function parseCredentialsFile(text: string): CredentialsParseOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // V8's message quotes the text around the error, a secret or a token here: say where instead.
    const syntax = findJsonSyntaxError(text);
    return { ok: false, message: syntax ? `not JSON: ${syntax.problem} at line ${syntax.line}, column ${syntax.column}` : "not JSON" };
  }
  if (!isObject(value) || !Array.isArray(value.credentials)) return { ok: false, message: 'expected an object with a "credentials" array' };
  const entries = new Map<string, CredentialEntry>();
  for (const [index, raw] of value.credentials.entries()) {
    const parsed = parseEntry(raw, `credentials[${index}]`);
    if (!parsed.ok) return parsed;
    if (entries.has(parsed.accessKeyId)) return { ok: false, message: `credentials[${index}]: access key ${parsed.accessKeyId} is listed twice` };
    entries.set(parsed.accessKeyId, parsed.entry);
  }
  return { ok: true, entries };
}

function parseEntry(raw: unknown, where: string): { ok: true; accessKeyId: string; entry: CredentialEntry } | { ok: false; message: string } {
  const fail = (problem: string) => ({ ok: false as const, message: `${where}: ${problem}` });
  if (!isObject(raw)) return fail("expected an object");
  for (const field of Object.keys(raw)) if (!entryFields.has(field)) return fail(`unknown field ${field}`);
  const { accessKeyId, secretAccessKey, sessionToken, accountId, principalArn, policies } = raw;
  if (typeof accessKeyId !== "string" || !accessKeyIdPattern.test(accessKeyId)) {
    const position = typeof accessKeyId === "string" ? outsideVisibleAscii(accessKeyId) : undefined;
    return fail(`accessKeyId must be 1 to 128 ASCII letters, digits or underscores${position ? ` (${position})` : ""}`);
  }
  if (typeof secretAccessKey !== "string" || secretAccessKey === "") return fail(`secretAccessKey of ${accessKeyId} must be a non-empty string`);
  const secretProblem = outsideVisibleAscii(secretAccessKey);
  if (secretProblem) return fail(`secretAccessKey of ${accessKeyId} must be printable ASCII without spaces, as AWS's are (${secretProblem})`);
  if (sessionToken !== undefined && (typeof sessionToken !== "string" || sessionToken === "")) {
    return fail(`sessionToken of ${accessKeyId} must be a non-empty string when given`);
  }
  const tokenProblem = sessionToken === undefined ? undefined : outsideVisibleAscii(sessionToken as string);
  if (tokenProblem) return fail(`sessionToken of ${accessKeyId} must be printable ASCII without spaces, as AWS's are (${tokenProblem})`);
  if (typeof accountId !== "string" || !accountIdPattern.test(accountId)) return fail(`accountId of ${accessKeyId} must be a 12-digit account id`);
  const arnMatch = typeof principalArn === "string" ? principalArnPattern.exec(principalArn) : null;
  if (arnMatch === null) return fail(`principalArn of ${accessKeyId} must be an IAM or STS ARN (arn:aws:iam::${accountId}:user/name)`);
  if (arnMatch[2] !== accountId) return fail(`principalArn of ${accessKeyId} names account ${arnMatch[2]}, not its accountId ${accountId}`);
  if (!Array.isArray(policies)) return fail(`policies of ${accessKeyId} must be an array of policy documents`);
  const documents: PolicyDocument[] = [];
  for (const [index, document] of policies.entries()) {
    const parsed = parsePolicyObject(document, "identity");
    if (!parsed.ok) return fail(`policies[${index}] of ${accessKeyId}: ${parsed.message}`);
    documents.push(parsed.policy);
  }
  // `admin` (docs/auth.md) grants the server's admin endpoints, not any AWS action: policies still decide those.
  if (raw.admin !== undefined && typeof raw.admin !== "boolean") return fail(`admin of ${accessKeyId} must be true or false when given`);
  const principal: Principal = Object.freeze({ accountId, arn: principalArn as string, accessKeyId, policies: Object.freeze(documents), ...(raw.admin === true && { admin: true }) });
  return {
    ok: true,
    accessKeyId,
    entry: { secretAccessKey, ...(sessionToken !== undefined && { sessionToken: sessionToken as string }), identity: principal },
  };
}

/**
 * Where a key, secret or token leaves printable ASCII (U+0021–U+007E), as "character N is U+XXXX",
 * or undefined. A signature is computed over these bytes and a header carries them, so a
 * typographic `…` or a no-break space copied from a document could never match what a client
 * signs; the message names the position and the code point, never the value around it.
 */
function outsideVisibleAscii(value: string): string | undefined {
  for (let index = 0; index < value.length; index++) {
    const code = value.codePointAt(index)!;
    if (code < 0x21 || code > 0x7e) return `character ${index + 1} is U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return undefined;
}

/** Stands for "no file" among versions, so a missing file is also reported once. */
const goneVersion = "(gone)";

export interface CredentialsFileDeps {
  path: string;
  clock: Clock;
  logger: Logger;
  port?: CredentialsFilePort;
  checkIntervalMs?: number;
}

/** The loaded credentials, kept current with the file. Open with `CredentialsFile.open`; `close()` stops the watch. */
export class CredentialsFile {
  private entries: ReadonlyMap<string, CredentialEntry>;
  private loadedVersion: string | undefined;
  /** The version last reported as bad, so one bad file is logged once however often it is checked. */
  private failedVersion: string | undefined;
  private nextCheckMs: number;
  private checking: Promise<void> | undefined;
  private stopWatch: (() => void) | undefined;

  private constructor(
    private readonly deps: CredentialsFileDeps,
    private readonly port: CredentialsFilePort,
    loaded: { version: string | undefined; entries: ReadonlyMap<string, CredentialEntry> },
  ) {
    this.entries = loaded.entries;
    this.loadedVersion = loaded.version;
    this.nextCheckMs = deps.clock.nowMs() + this.checkIntervalMs;
  }

  /** Loads the file; throws an Error that says what is wrong with it, so the server does not start. */
  static async open(deps: CredentialsFileDeps): Promise<CredentialsFile> {
    const port = deps.port ?? nodeCredentialsFilePort;
    const version = await port.version(deps.path);
    const text = await port.read(deps.path, credentialsFileBytesMax).catch((error: Error) => {
      throw new Error(`cannot read the credentials file ${deps.path}: ${error.message}`);
    });
    const parsed = parseCredentialsFile(text);
    if (!parsed.ok) throw new Error(`invalid credentials file ${deps.path}: ${parsed.message}`);
    const file = new CredentialsFile(deps, port, { version, entries: parsed.entries });
    file.stopWatch = port.watch(deps.path, () => {
      file.nextCheckMs = 0;
      void file.check();
    });
    return file;
  }

  private get checkIntervalMs(): number {
    return this.deps.checkIntervalMs ?? credentialsCheckIntervalMsDefault;
  }

  /** How many access keys are loaded. */
  get size(): number {
    return this.entries.size;
  }

  /** The accounts the loaded keys belong to (a reset clears their settings). */
  accountIds(): string[] {
    return [...new Set([...this.entries.values()].map((entry) => entry.identity.accountId))];
  }

  async lookup(accessKeyId: string): Promise<CredentialEntry | undefined> {
    if (this.deps.clock.nowMs() >= this.nextCheckMs) await this.check();
    return this.entries.get(accessKeyId);
  }

  /** Reloads the file if it changed since it was loaded; concurrent calls share one check. */
  check(): Promise<void> {
    this.checking ??= this.reloadIfChanged().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  close(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
  }

  private async reloadIfChanged(): Promise<void> {
    this.nextCheckMs = this.deps.clock.nowMs() + this.checkIntervalMs;
    const version = await this.port.version(this.deps.path);
    if (version !== undefined && version === this.loadedVersion) return;
    if ((version ?? goneVersion) === this.failedVersion) return;
    let problem: string;
    if (version === undefined) {
      problem = "the file is gone";
    } else {
      try {
        const parsed = parseCredentialsFile(await this.port.read(this.deps.path, credentialsFileBytesMax));
        if (parsed.ok) {
          this.entries = parsed.entries;
          this.loadedVersion = version;
          this.failedVersion = undefined;
          this.deps.logger.info({ path: this.deps.path, accessKeys: parsed.entries.size }, "credentials file reloaded");
          return;
        }
        problem = parsed.message;
      } catch (error) {
        problem = (error as Error).message;
      }
    }
    this.failedVersion = version ?? goneVersion;
    this.deps.logger.error({ path: this.deps.path, problem }, "credentials file not reloaded; the credentials loaded before stay in use");
  }
}
