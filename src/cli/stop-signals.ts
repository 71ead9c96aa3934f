/**
 * What stops the long-running commands (server, kcl): SIGINT / SIGTERM, and — under npm — losing
 * the process that started us. The first starts `stop` (a graceful stop that exits 0, or 1 if it
 * fails); a second signal exits at once with 1, for an operator who will not wait.
 *
 * Why the parent: npm passes SIGTERM and SIGINT only to its own child. `npm start` execs (the
 * script is `exec bin/tributary server`, and the launcher execs Node), so that child is us; but
 * `npx tributary server`, and a user's script `tributary server`, run us under `sh -c`, and
 * Debian's sh (dash) neither execs its last command nor passes SIGTERM on: it dies, and we would
 * be left running as an orphan holding the port and the data directory. So when npm's script is
 * this command and nothing else, getting a new parent (we were orphaned) counts as a stop signal.
 * Not otherwise: a server started with `&` or nohup from a shell, or from a script that goes on
 * to do other things, must keep running when that shell exits.
 */
import { systemClock, type Clock } from "../util/clock.js";

export function onStopSignals(what: string, stop: (signal: string) => Promise<void>): void {
  let signals = 0;
  const handle = (signal: string) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`tributary: second ${signal}, exiting now\n`);
      process.exit(1);
    }
    stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`tributary: ${what} failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => handle("SIGINT"));
  process.on("SIGTERM", () => handle("SIGTERM"));
  if (startedByNpm(process.env)) watchParent(() => handle("parent exited"));
}

/** How often an npm-started process checks that its parent is still there: getppid(), ~1 µs. */
const parentCheckIntervalMs = 200;

/**
 * Whether npm (`npm start`, `npx`, `npm run`, `npm exec`) runs us as its whole script: npm names
 * the script it runs in npm_lifecycle_script — `exec bin/tributary server`, `'tributary' server …`
 * for npx. A script with more than one command (`;`, `&`, `|`, a new line) is not.
 */
export function startedByNpm(env: NodeJS.ProcessEnv): boolean {
  const script = env.npm_lifecycle_script ?? "";
  // Control operators; `&` in a redirection (2>&1, &>) is not one.
  if ((env.npm_lifecycle_event ?? "") === "" || /[;|\n]|(?<![<>])&(?!>)/.test(script)) return false;
  const first = /^\s*(?:exec\s+)?(?:'([^']*)'|"([^"]*)"|(\S+))/.exec(script);
  const command = first?.[1] ?? first?.[2] ?? first?.[3] ?? "";
  return /(^|\/)tributary(-server|\.js)?$/.test(command);
}

/** Calls `onOrphaned` once when this process gets a new parent (its own has exited). */
export function watchParent(onOrphaned: () => void, intervalMs = parentCheckIntervalMs, clock: Clock = systemClock): void {
  const parent = process.ppid;
  // Never what keeps the process alive (unref).
  const timer = clock.setInterval(
    () => {
      if (process.ppid === parent) return;
      clock.clearTimer(timer);
      onOrphaned();
    },
    intervalMs,
    { unref: true },
  );
}
