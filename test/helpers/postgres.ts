/**
 * A throwaway PostgreSQL cluster for a test file: initdb into a temporary directory (trust
 * authentication, superuser `postgres`), pg_ctl start on a free port on 127.0.0.1 with its socket
 * in that directory, and stop + remove at the end. PostgreSQL is Debian's `postgresql` package
 * (/usr/lib/postgresql/<version>/bin), which scripts/test.sh installs; without it the helper throws
 * (tests fail, never skip). initdb refuses to run as root, so as root the cluster runs as the
 * `postgres` user the package creates (or `nobody`), through runuser, owning the directory.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PostgresCluster {
  readonly port: number;
  readonly host: "127.0.0.1";
  /** Runs SQL through psql as the superuser against `database` (default "postgres"); returns stdout. */
  psql(sql: string, database?: string): string;
  stop(): Promise<void>;
}

function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) {
    throw new Error("PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): run scripts/test.sh, which installs Debian's postgresql package, or apt-get install postgresql.");
  }
  return join(root, versions[0]!, "bin");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

function runAs(): { uid: number; gid: number; user: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ["postgres", "nobody"]) {
    const id = spawnSync("id", ["-u", user], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", user], { encoding: "utf8" });
    if (id.status === 0 && gid.status === 0) return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()), user };
  }
  throw new Error("Running as root, and neither the postgres nor the nobody user exists to run PostgreSQL as.");
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const owner = runAs();
  const dir = mkdtempSync(join(tmpdir(), "tributary-pg-"));
  const dataDir = join(dir, "data");
  if (owner !== undefined) chownSync(dir, owner.uid, owner.gid);
  const run = (command: string, args: string[], input?: string): string => {
    const [file, argv] = owner === undefined ? [command, args] : ["runuser", ["-u", owner.user, "--", command, ...args]];
    return execFileSync(file, argv, { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], cwd: dir, ...(input !== undefined ? { input } : {}) });
  };
  const port = await freePort();
  try {
    run(join(bin, "initdb"), ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
    run(join(bin, "pg_ctl"), ["-D", dataDir, "-l", join(dir, "log"), "-w", "-o", `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`Could not start PostgreSQL from ${bin}: ${(error as Error).message}\n${stderr}`);
  }
  return {
    port,
    host: "127.0.0.1",
    psql(sql, database = "postgres") {
      return run(join(bin, "psql"), ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database], sql);
    },
    async stop() {
      try {
        run(join(bin, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
