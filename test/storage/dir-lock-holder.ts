/**
 * A process that takes the data-directory lock for test/storage/dir-lock.test.ts and keeps it
 * until it is killed. Prints "held <pid>" or "refused <message>". With "--on-go" it prints "ready"
 * and waits for a line on stdin first, so several holders can race for the lock at the same moment.
 */
import { createInterface } from "node:readline";
import { lockDataDir } from "../../src/storage/embedded/dir-lock.js";

const [dataDir, mode] = process.argv.slice(2);

async function take(): Promise<void> {
  try {
    const lock = await lockDataDir(dataDir!);
    process.stdout.write(`held ${process.pid}${lock.limitation === undefined ? "" : ` limited: ${lock.limitation}`}\n`);
  } catch (error) {
    process.stdout.write(`refused ${(error as Error).message}\n`);
  }
}

// The lock's sockets do not keep a process alive; this does, until the test kills it.
setInterval(() => undefined, 60_000);
if (mode === "--on-go") {
  createInterface({ input: process.stdin }).once("line", () => void take());
  process.stdout.write("ready\n");
} else {
  void take();
}
