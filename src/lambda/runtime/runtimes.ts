/**
 * What runs a sandbox of each runtime, and what the INIT_START line says it is:
 *
 * - nodejs<N>.x: this machine's Node (`process.execPath`) with our bootstrap; the V8 heap capped
 *   at nine tenths of MemorySize (--max-old-space-size), leaving room for the rest of the process.
 *   INIT_START names the Node that really runs (nodejs:20.20.2), whatever major was asked for.
 * - python3.<M>: Debian's /usr/bin/python3 (python3 on PATH if that is absent) with our bootstrap.
 *   A requested minor that is not the machine's runs on the machine's, and INIT_START says which
 *   (python:3.11.2), as does AWS_EXECUTION_ENV (the requested identifier, as Lambda sets it).
 * - provided, provided.al2, provided.al2023: the package's own `bootstrap` (the task root's, else
 *   the layers' /opt/bootstrap), as on Lambda.
 *
 * The bootstraps are written under <sandboxRoot>/runtime once per process.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nodeBootstrapSource } from "./bootstraps/node-bootstrap-source.js";
import { pythonBootstrapSource } from "./bootstraps/python-bootstrap-source.js";

export type RuntimeFamily = "nodejs" | "python" | "provided";

export interface RuntimeLaunch {
  readonly family: RuntimeFamily;
  readonly command: string;
  readonly args: readonly string[];
  /** The runtime's own variables (NODE_PATH, PYTHONPATH), before the function's. */
  readonly env: Readonly<Record<string, string>>;
  /** "nodejs:20.20.2": the INIT_START line's Runtime Version. */
  readonly runtimeVersion: string;
}

export interface LaunchPlace {
  readonly runtimeDirectory: string;
  readonly taskRoot: string;
  readonly optDirectory: string;
  readonly memorySizeMB: number;
}

const debianPython = "/usr/bin/python3";

export function familyOf(runtime: string): RuntimeFamily | undefined {
  if (/^nodejs\d+\.x$/.test(runtime)) return "nodejs";
  if (/^python3\.\d+$/.test(runtime)) return "python";
  if (runtime === "provided" || runtime === "provided.al2" || runtime === "provided.al2023") return "provided";
  return undefined;
}

/** A stable Runtime Version ARN for what really runs: a hash of its version string. */
export function runtimeVersionArn(region: string, runtimeVersion: string): string {
  return `arn:aws:lambda:${region}::runtime:${createHash("sha256").update(runtimeVersion).digest("hex")}`;
}

export class Runtimes {
  private written: string | undefined;
  private python: Promise<{ command: string; version: string }> | undefined;

  constructor(private readonly sandboxRoot: string) {}

  /** Writes the bootstraps (once); answers the runtime directory (LAMBDA_RUNTIME_DIR). */
  runtimeDirectory(): string {
    if (this.written !== undefined) return this.written;
    const directory = join(this.sandboxRoot, "runtime");
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, "node-bootstrap.cjs"), nodeBootstrapSource);
    writeFileSync(join(directory, "python-bootstrap.py"), pythonBootstrapSource);
    this.written = directory;
    return directory;
  }

  async launchOf(runtime: string, place: LaunchPlace): Promise<RuntimeLaunch | { readonly invalidEntrypoint: string }> {
    const family = familyOf(runtime);
    if (family === "nodejs") {
      const heapMB = Math.max(16, Math.floor(place.memorySizeMB * 0.9));
      const major = process.versions.node.split(".")[0];
      return {
        family,
        command: process.execPath,
        args: [`--max-old-space-size=${heapMB}`, join(place.runtimeDirectory, "node-bootstrap.cjs")],
        env: { NODE_PATH: [`${place.optDirectory}/nodejs/node${major}/node_modules`, `${place.optDirectory}/nodejs/node_modules`, place.runtimeDirectory, place.taskRoot].join(":") },
        runtimeVersion: `nodejs:${process.versions.node}`,
      };
    }
    if (family === "python") {
      const python = await this.pythonOf();
      const minor = python.version.split(".").slice(0, 2).join(".");
      return {
        family,
        command: python.command,
        args: [join(place.runtimeDirectory, "python-bootstrap.py")],
        env: { PYTHONPATH: [place.taskRoot, `${place.optDirectory}/python/lib/python${minor}/site-packages`, `${place.optDirectory}/python`, place.runtimeDirectory].join(":") },
        runtimeVersion: `python:${python.version}`,
      };
    }
    if (family === "provided") {
      const candidates = [join(place.taskRoot, "bootstrap"), join(place.optDirectory, "bootstrap")];
      const bootstrap = candidates.find((candidate) => existsSync(candidate));
      if (bootstrap === undefined) return { invalidEntrypoint: `Couldn't find valid bootstrap(s): [${candidates.join(" ")}]` };
      return { family, command: bootstrap, args: [], env: {}, runtimeVersion: `${runtime.replace(".", ":")}.local` };
    }
    return { invalidEntrypoint: `Runtime ${runtime} is not supported here` };
  }

  /** The machine's Python and its full version, asked once. */
  private pythonOf(): Promise<{ command: string; version: string }> {
    this.python ??= new Promise((resolve) => {
      const command = existsSync(debianPython) ? debianPython : "python3";
      execFile(command, ["-c", "import platform; print(platform.python_version())"], { env: { PATH: "/usr/local/bin:/usr/bin:/bin" } }, (error, stdout) => {
        resolve({ command, version: error ? "3" : stdout.trim() });
      });
    });
    return this.python;
  }
}
