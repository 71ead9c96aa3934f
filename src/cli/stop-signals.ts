/**
 * SIGINT / SIGTERM for the long-running commands: the first starts `stop` (a graceful stop that
 * exits 0, or 1 if it fails); a second one exits at once with 1, for an operator who will not wait.
 */
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
}
