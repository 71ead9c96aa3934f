/**
 * `tributary server`'s command line: the option table and value rules live in
 * src/server/server-options.ts (startServer uses them too); this adds parsing flags and the help.
 * `tributary kcl` shares the machinery.
 */
import { envName, masterKeyEnvName, s3SecretEnvName, serverOptions, type OptionSpec } from "../server/server-options.js";

export * from "../server/server-options.js";

/** A failure says what is wrong; `showHelp` when the command's help is the answer (an option or argument it does not have). */
export type ParsedCommandLine =
  | { ok: true; help: boolean; cliValues: Record<string, string | undefined> }
  | { ok: false; message: string; showHelp: boolean };

/**
 * A command's flags as given (switches as "true"/"false"), or why they are not valid; no positionals.
 * `--flag value` and `--flag=value` both work, and an option that takes a value takes the next
 * argument even when it starts with one dash, so `--port -1` is a port (a bad one) rather than an
 * unknown option `-1`. A following `--other` is never taken as a value: the option then has none.
 */
export function parseCommandLine(args: readonly string[], specs: readonly OptionSpec[]): ParsedCommandLine {
  const byFlag = new Map(specs.map((spec) => [spec.flag, spec]));
  const cliValues: Record<string, string | undefined> = Object.fromEntries(specs.map((spec) => [spec.flag, undefined]));
  let help = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--") || arg === "--") {
      return { ok: false, showHelp: true, message: arg.startsWith("-") ? `Unknown option '${arg}'` : `unexpected argument '${arg}': options start with --` };
    }
    const equals = arg.indexOf("=");
    const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
    const spec = byFlag.get(name);
    if (spec === undefined) return { ok: false, showHelp: true, message: `Unknown option '--${name}'` };
    if (spec.boolean) {
      if (equals < 0) {
        cliValues[name] = "true";
        continue;
      }
      // `--tls=false` as well as `--tls`; resolveOptions checks the value.
      cliValues[name] = arg.slice(equals + 1);
      continue;
    }
    if (equals >= 0) {
      cliValues[name] = arg.slice(equals + 1);
      continue;
    }
    const next = args[index + 1];
    if (next === undefined || next.startsWith("--")) {
      return { ok: false, showHelp: false, message: `--${name} needs a value${spec.allowed === undefined ? "" : `: ${spec.allowed}`}` };
    }
    cliValues[name] = next;
    index++;
  }
  return { ok: true, help, cliValues };
}

/**
 * The "Options:" lines of a command's help, each with its default and environment variable. The
 * name column is as wide as the longest option name plus two spaces, so every description starts
 * in the same column; `extra` rows (name, text) share it, and one whose name is wider than the
 * column (a long environment variable) has its text on the next line, in the column.
 */
export function optionHelpLines(specs: readonly OptionSpec[], extra: ReadonlyArray<readonly [string, string]> = []): string[] {
  const rows: Array<readonly [string, string]> = specs.map((spec) => [
    `  --${spec.flag}${spec.boolean ? "" : " <value>"}`,
    `${spec.description} (default ${spec.defaultValue || "none"}; env ${envName(spec.flag)})`,
  ]);
  rows.push(["  -h, --help", "show this help"]);
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  rows.push(...extra);
  return rows.flatMap(([name, text]) => {
    if (text === "") return [name];
    return name.length + 2 > width ? [name, " ".repeat(width) + text] : [name.padEnd(width) + text];
  });
}

export function serverHelp(): string {
  // The variable that has no flag joins the options' table, so one width aligns every row.
  const masterKeyRow = [`  ${masterKeyEnvName}`, "the master key itself (base64 of 32 bytes), instead of --master-key-file (environment only)"] as const;
  const s3SecretRow = [`  ${s3SecretEnvName}`, "the secret access key of --s3-access-key-id (environment only)"] as const;
  return ["Usage: tributary server [options]", "", "Runs the Tributary server.", "", "Options:", ...optionHelpLines(serverOptions, [["", ""], ["Environment:", ""], masterKeyRow, s3SecretRow])].join("\n");
}
