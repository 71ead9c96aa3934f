/**
 * The external clients the e2e tests drive: the AWS CLI v2 and boto3, both from Debian packages
 * that scripts/test.sh installs. Missing clients fail the tests with that instruction; they are
 * never skipped.
 */
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Debian's paths, not whatever `aws` / `python3` comes first on PATH (pyenv shims, CLI v1). */
export const awsCliPath = "/usr/bin/aws";
export const pythonPath = "/usr/bin/python3";

const installHint = "run `sh scripts/test.sh` (what `npm test` runs), which installs it with apt-get";

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") {
        reject(new Error(`${file} ${args.join(" ")} did not run: ${error.message}\n${stderr}`, { cause: error }));
        return;
      }
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/**
 * The environment for an AWS client pointed at a local server: dummy credentials and region, no
 * config or credentials files, no instance metadata lookups, no pager, and none of our own AWS_*
 * or Python variables leaking in.
 */
export function awsClientEnv(region: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith("AWS_") || name.startsWith("PYTHON")) continue;
    env[name] = value;
  }
  // Paths that do not exist: the clients then read no profile at all.
  const noFiles = join(tmpdir(), "tributary-no-aws-config");
  return {
    ...env,
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    AWS_DEFAULT_REGION: region,
    AWS_REGION: region,
    AWS_PAGER: "",
    AWS_CONFIG_FILE: join(noFiles, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(noFiles, "credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** Throws, with the way to fix it, unless /usr/bin/aws is the AWS CLI v2. */
export async function requireAwsCliV2(): Promise<string> {
  let version: ProcessResult;
  try {
    version = await run(awsCliPath, ["--version"], process.env, 30_000);
  } catch (error) {
    throw new Error(`The AWS CLI v2 is not installed at ${awsCliPath}: ${installHint} (Debian package awscli).`, { cause: error });
  }
  const text = (version.stdout + version.stderr).trim();
  if (version.code !== 0 || !text.startsWith("aws-cli/2.")) {
    throw new Error(`${awsCliPath} is not the AWS CLI v2 (it says '${text}'): ${installHint} (Debian package awscli).`);
  }
  return text;
}

/** Throws, with the way to fix it, unless Debian's python3 can import boto3. */
export async function requireBoto3(): Promise<string> {
  let result: ProcessResult;
  try {
    result = await run(pythonPath, ["-c", "import boto3; print(boto3.__version__)"], awsClientEnv("us-east-1"), 30_000);
  } catch (error) {
    throw new Error(`${pythonPath} is missing: ${installHint} (Debian package python3-boto3).`, { cause: error });
  }
  if (result.code !== 0) {
    throw new Error(`boto3 is not importable by ${pythonPath}: ${installHint} (Debian package python3-boto3).\n${result.stderr}`);
  }
  return result.stdout.trim();
}
