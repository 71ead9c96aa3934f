/**
 * Runs the examples of one Markdown document in order, as a reader following it in one terminal
 * would (the rules are in examples.test.ts). `step` wraps each block's run: examples.test.ts makes
 * it a subtest, harness.test.ts collects the outcomes.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultStreamsConfig } from "../../src/streams/index.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { extractBlocks, dataLanguages, runnableLanguages, type Block, type Runner } from "./extract.js";
import { parseProgram } from "../../src/analytics/sql/parser.js";
import { freePort, runToEnd, startUntilHealthy, type BackgroundProcess, type ProcessResult } from "./processes.js";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const tsxLoader = import.meta.resolve("tsx");
const registerHooks = new URL("./register.mjs", import.meta.url).href;
/** Where the Debian package awscli (AWS CLI v2), which scripts/test.sh installs, puts the command. */
const awsCliV2 = "/usr/bin/aws";

/** The port the docs write; every example gets its server's port instead. */
export const docsPort = 4567;
/** Generous for a shared 2-core machine: the slowest example (the README's CLI tour) takes ~10 s. */
const blockTimeoutMs = 90_000;
/** A cluster example waits for JetStream to place its replicas, which the engine allows a minute. */
const serverReadyTimeoutMs = 120_000;

export interface Step {
  name: string;
  block: Block;
  /** Why the block is not run; undefined when it runs. */
  skip?: string;
}

export type StepRunner = (step: Step, run: () => Promise<void>) => Promise<void>;

export interface DocumentOptions {
  /** Environment every block starts with, before what earlier blocks of the document export. */
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Variables of the shell itself, not of what a reader exported. */
const shellOwnVariables = new Set(["PWD", "OLDPWD", "SHLVL", "_"]);

function parseEnvDump(dump: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of dump.split("\0")) {
    const equals = entry.indexOf("=");
    if (equals <= 0) continue;
    const name = entry.slice(0, equals);
    if (!shellOwnVariables.has(name)) env[name] = entry.slice(equals + 1);
  }
  return env;
}

/** The environment a reader's shell has: ours without TRIBUTARY_* and AWS_* settings, with `tributary` on PATH (the sources through tsx). */
export function baseEnvironment(binDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // A reader's own AWS settings are not the docs' (the README's credentials block sets them);
    // the SDK's documented switch for its Node.js version warning stays, as scripts/test.sh sets it.
    if (name.startsWith("TRIBUTARY_") || name.startsWith("NODE_TEST")) continue;
    if (name.startsWith("AWS_") && name !== "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED") continue;
    env[name] = value;
  }
  env.PATH = `${binDir}:${process.env.PATH ?? "/usr/bin:/bin"}`;
  return env;
}

/**
 * A directory for the front of PATH: a `tributary` command that runs src/cli/main.ts (so examples
 * test the current sources without a build), and `aws` as the AWS CLI v2 that scripts/test.sh
 * installs (/usr/bin/aws), which the README's examples are written for, even where an older
 * `aws` comes first on PATH.
 */
export function makeBinDir(parent: string): string {
  const binDir = join(parent, "bin");
  mkdirSync(binDir, { recursive: true });
  const shim = join(binDir, "tributary");
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" --import "${tsxLoader}" "${join(repoRoot, "src/cli/main.ts")}" "$@"\n`);
  chmodSync(shim, 0o755);
  symlinkSync(awsCliV2, join(binDir, "aws"));
  return binDir;
}

function rewritePort(code: string, port: number): string {
  return code.replace(/\b4567\b/g, String(port));
}

function describeResult(result: ProcessResult): string {
  const how = result.timedOut ? `timed out after ${result.durationMs} ms` : `exited with code ${result.code}${result.signal ? `, signal ${result.signal}` : ""}`;
  return `${how}\n--- stdout ---\n${result.stdout}--- stderr ---\n${result.stderr}`;
}

interface Session {
  workDir: string;
  scriptDir: string;
  env: NodeJS.ProcessEnv;
}

/** Runs one block against the server on `port`; the shell's exported environment carries to the next block. */
async function runBlock(block: Block, runner: Runner, port: number, session: Session, timeoutMs: number): Promise<ProcessResult> {
  const code = rewritePort(block.code, port);
  const base = join(session.scriptDir, `line-${block.line}`);
  const options = { cwd: session.workDir, env: session.env, timeoutMs };
  switch (runner) {
    case "sh":
    case "bash": {
      const envOut = `${base}.env`;
      // set -e: a failing command fails the example. The dump after the block keeps what it exported.
      writeFileSync(`${base}.sh`, `set -e\n${code}\nenv -0 > '${envOut}'\n`);
      const result = await runToEnd(runner === "sh" ? "/bin/sh" : "bash", [`${base}.sh`], options);
      if (result.code === 0) session.env = parseEnvDump(readFileSync(envOut, "utf8"));
      return result;
    }
    case "js":
    case "ts": {
      // ES modules (top-level await), as `node file.mjs` / `tsx file.mts` run them.
      const file = `${base}.${runner === "js" ? "mjs" : "mts"}`;
      writeFileSync(file, code);
      return runToEnd(process.execPath, ["--import", tsxLoader, "--import", registerHooks, file], options);
    }
    case "python": {
      writeFileSync(`${base}.py`, code);
      return runToEnd("/usr/bin/python3", [`${base}.py`], options);
    }
  }
}

/** The server every block runs against unless a server example of its section serves it: `tributary server`'s defaults, in memory. */
function startDefaultServer(): Promise<TestServer> {
  return startTestServer({
    limits: defaultStreamsConfig.limits,
    streams: {
      createStreamMs: defaultStreamsConfig.createStreamMs,
      deleteStreamMs: defaultStreamsConfig.deleteStreamMs,
      updateStreamMs: defaultStreamsConfig.updateStreamMs,
    },
  });
}

function stepName(block: Block): string {
  return `${block.file}:${block.line}`;
}

export async function runDocument(file: string, markdown: string, options: DocumentOptions, step: StepRunner): Promise<void> {
  const timeoutMs = options.timeoutMs ?? blockTimeoutMs;
  const root = mkdtempSync(join(tmpdir(), "tributary-docs-"));
  const session: Session = { workDir: join(root, "work"), scriptDir: join(root, "scripts"), env: options.env };
  mkdirSync(session.workDir);
  mkdirSync(session.scriptDir);
  let sectionServer: { section: number; port: number; process: BackgroundProcess } | undefined;
  const stopSectionServer = async () => {
    if (!sectionServer) return;
    const { process: server } = sectionServer;
    sectionServer = undefined;
    await server.stop();
  };
  try {
    for (const block of extractBlocks(file, markdown)) {
      if (sectionServer && sectionServer.section !== block.section) await stopSectionServer();
      const name = stepName(block);
      const skip = block.directives.find((directive) => directive.kind === "skip");
      const fileName = block.directives.find((directive) => directive.kind === "file")?.name;
      const runner: Runner | undefined = runnableLanguages[block.language as keyof typeof runnableLanguages];
      if (block.directiveErrors.length > 0) {
        await step({ name, block }, async () => assert.fail(block.directiveErrors.join("; ")));
        continue;
      }
      if (skip) {
        await step({ name, block, skip: skip.reason }, async () => {});
        continue;
      }
      if (runner === undefined) {
        if (!dataLanguages.has(block.language)) {
          await step({ name, block }, async () =>
            assert.fail(`fence language "${block.language}" is neither run nor known as data: use one of ${[...Object.keys(runnableLanguages), ...dataLanguages].filter(Boolean).join(", ")}`),
          );
          continue;
        }
        if (block.language !== "json" && block.language !== "sql" && fileName === undefined) continue;
        await step({ name, block }, async () => {
          if (block.language === "json") JSON.parse(block.code);
          // Analytics application code (or a statement of it) must parse as the service's dialect.
          if (block.language === "sql") parseProgram(block.code);
          if (fileName !== undefined) {
            const path = join(session.workDir, fileName);
            mkdirSync(join(path, ".."), { recursive: true });
            writeFileSync(path, block.code);
          }
        });
        continue;
      }
      if (fileName !== undefined) {
        await step({ name, block }, async () => assert.fail("a runnable block cannot also be a file; give the file its own data block"));
        continue;
      }
      if (block.directives.some((directive) => directive.kind === "server")) {
        await step({ name, block }, async () => {
          if (runner !== "sh" && runner !== "bash") assert.fail("server examples must be sh or bash blocks");
          const port = await freePort();
          const script = join(session.scriptDir, `line-${block.line}.sh`);
          writeFileSync(script, rewritePort(block.code, port));
          // The port the example does not name comes from the environment, as `tributary server` reads it.
          const env = { ...session.env, TRIBUTARY_PORT: String(port) };
          const server = await startUntilHealthy(runner === "sh" ? "/bin/sh" : "bash", [script], port, { cwd: session.workDir, env, timeoutMs: serverReadyTimeoutMs });
          sectionServer = { section: block.section, port, process: server };
        });
        continue;
      }
      await step({ name, block }, async () => {
        const ownServer = sectionServer ? undefined : await startDefaultServer();
        const port = sectionServer?.port ?? Number(new URL(ownServer!.url).port);
        try {
          const result = await runBlock(block, runner, port, session, timeoutMs);
          assert.ok(!result.timedOut && result.code === 0, `${name} failed: ${describeResult(result)}`);
          for (const directive of block.directives) {
            if (directive.kind === "stdout-includes") {
              assert.ok(result.stdout.includes(directive.text), `${name}: stdout lacks "${directive.text}": ${describeResult(result)}`);
            }
          }
        } finally {
          await ownServer?.stop();
        }
      });
    }
  } finally {
    await stopSectionServer();
    rmSync(root, { recursive: true, force: true });
  }
}
