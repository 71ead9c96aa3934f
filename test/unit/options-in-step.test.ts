/**
 * Every `tributary server` flag has its TRIBUTARY_<FLAG> variable, and the README's configuration
 * table, the option table (src/server/server-options.ts) and `tributary server --help` name the
 * same flags, variables and defaults (DEVELOPERS.md: keep the CLI, the environment, --help and the
 * README in step).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { envName, masterKeyEnvName, s3SecretEnvName, serverOptions } from "../../src/server/server-options.js";
import { serverHelp } from "../../src/cli/server-options.js";

interface ReadmeRow {
  flag: string | undefined;
  variable: string;
  defaultValue: string;
}

/** The rows of the README table headed `| Flag | Environment variable | Default | Meaning |`. */
function readmeRows(): ReadmeRow[] {
  const lines = readFileSync(new URL("../../README.md", import.meta.url), "utf8").split("\n");
  const header = lines.findIndex((line) => line.startsWith("| Flag | Environment variable | Default |"));
  assert.ok(header >= 0, "README.md has the configuration table");
  const rows: ReadmeRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const [flag, variable, defaultValue] = line.split("|").slice(1, 4).map((cell) => cell.trim());
    rows.push({
      flag: flag === "—" ? undefined : /^`--([a-z0-9-]+)`$/.exec(flag!)?.[1],
      variable: /^`([A-Z0-9_]+)`$/.exec(variable!)?.[1] ?? `unreadable: ${variable}`,
      defaultValue: defaultValue === "none" ? "" : defaultValue!.replace(/^`|`$/g, ""),
    });
  }
  return rows;
}

describe("server options in step", () => {
  const rows = readmeRows();

  it("the README lists every flag, in the option table's order, with its variable and default", () => {
    const flagged = rows.filter((row) => row.flag !== undefined);
    assert.deepEqual(
      flagged.map((row) => [row.flag, row.variable, row.defaultValue]),
      serverOptions.map((spec) => [spec.flag, envName(spec.flag), spec.defaultValue]),
    );
  });

  it("the README's only variables without a flag are the two secrets'", () => {
    assert.deepEqual(rows.filter((row) => row.flag === undefined).map((row) => row.variable), [masterKeyEnvName, s3SecretEnvName]);
  });

  it("--help names every flag with its variable and default, and the master key variable", () => {
    const help = serverHelp();
    for (const spec of serverOptions) {
      const line = help.split("\n").find((candidate) => candidate.startsWith(`  --${spec.flag} `) || candidate === `  --${spec.flag}`);
      assert.ok(line, `--help has --${spec.flag}`);
      assert.ok(line.includes(`env ${envName(spec.flag)})`), `--${spec.flag}'s help names ${envName(spec.flag)}: ${line}`);
      assert.ok(line.includes(`(default ${spec.defaultValue || "none"};`), `--${spec.flag}'s help names its default: ${line}`);
    }
    assert.ok(help.includes(`  ${masterKeyEnvName} `), "--help names TRIBUTARY_MASTER_KEY");
    // On its own line when wider than the column, its text on the next; else as the master key's.
    assert.ok(help.split("\n").some((line) => line === `  ${s3SecretEnvName}` || line.startsWith(`  ${s3SecretEnvName} `)), "--help names TRIBUTARY_S3_SECRET_ACCESS_KEY");
  });
});
