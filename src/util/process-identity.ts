/** This process's id and a liveness check for others, injected so tests can fake a second owner. */
export interface ProcessIdentity {
  pid: number;
  isAlive(pid: number): boolean;
}

export const currentProcess: ProcessIdentity = {
  pid: process.pid,
  isAlive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: it exists but belongs to someone else, which still means alive.
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  },
};
