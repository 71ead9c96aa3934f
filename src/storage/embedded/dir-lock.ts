/**
 * The data-directory lock: one server per data directory, released by the kernel the moment the
 * holder dies — even while the dead process is still a zombie, and whatever process later reuses
 * its PID — so a supervisor's immediate restart after kill -9 always finds the directory free.
 * Node has no flock/fcntl lock without a native addon; a listening Unix socket has the same
 * property (the kernel closes it with the process) and is built in.
 *
 * 1. Linux: a socket in the abstract namespace named from the directory's device and inode,
 *    `\0tributary-data-dir/<dev>/<ino>` (the same directory by any path, bind mount or symlink).
 *    bind() is the mutex: it fails with EADDRINUSE while a process in the same network namespace
 *    holds the name, and two servers starting at the same instant cannot both win. Nothing is
 *    left on disk to go stale.
 * 2. Everywhere: `<dataDir>/lock`, a socket file. Abstract names belong to a network namespace,
 *    so two containers with networks of their own sharing one volume would not see each other's;
 *    the file they both see. A file left by a dead holder refuses connections (ECONNREFUSED) and
 *    is replaced; one that answers belongs to a live server, and we refuse to start. (The PID
 *    file of earlier versions, also named `lock`, refuses connections too and is replaced.)
 *    Replacing is check-then-act: step 1 makes it safe within a network namespace; across
 *    namespaces two servers starting within the same millisecond could both pass
 *    (docs/container.md says so). Where there is no abstract namespace this file is the lock.
 *
 * Either socket answers a connection with one line and closes it — `<pid> <instance> <pid-ns>`:
 * the holder's pid, a random id of its process, its PID namespace — which is how a refused server
 * names the other one. (In containers the pid alone misleads: every container's server may be pid
 * 2.) docs/formats/log-segment.md describes both.
 */
import net from "node:net";
import { randomUUID } from "node:crypto";
import { readlinkSync } from "node:fs";
import { stat, unlink } from "node:fs/promises";
import { systemClock, type Clock } from "../../util/clock.js";
import { DataDirError, errnoText } from "./data-dir-error.js";

export interface DirLock {
  /**
   * Set when the lock covers less than usual: why (e.g. the socket file could not be made, so
   * servers in other network namespaces are not excluded). The engine logs it as a warning.
   */
  readonly limitation?: string;
  /** Closes the sockets (Node removes the socket file as it closes it). */
  release(): Promise<void>;
}

export const lockFileName = "lock";
/** sun_path holds 108 bytes on Linux (104 on macOS and the BSDs), the terminating NUL included. */
const socketPathBytesMax = process.platform === "linux" ? 107 : 103;
/** How long a refused server waits for the holder to say its pid (it is named without one after). */
const ownerAnswerTimeoutMs = 2_000;
/** How long a name that is bound but refuses connections may take to become free. */
const dyingHolderWaitMs = 2_000;
const dyingHolderPollMs = 5;
/** Replacing a stale socket file can race with its removal by someone else; a few tries settle it. */
const staleReplaceAttemptsMax = 3;
/** What connecting to a lock socket without a live holder behind it fails with (askOwner). */
const deadHolderCodes = new Set(["ECONNREFUSED", "ENOENT", "ECONNRESET", "EPIPE"]);
/** Who we are, as a holder answers: pid, an id no other process shares, PID namespace (Linux). */
const instanceId = randomUUID();
const pidNamespace = ((): string => {
  try {
    return readlinkSync("/proc/self/ns/pid").replace(/\s/g, "");
  } catch {
    return "-";
  }
})();
const ownerLine = `${process.pid} ${instanceId} ${pidNamespace}\n`;
/** Codes that mean the directory is not writable for us: the server could not store data either. */
const notWritableCodes = new Set(["EACCES", "EPERM", "EROFS"]);

/**
 * Takes the lock on `dataDir` (which must exist) or rejects with a DataDirError naming the holder.
 * Its waits (a holder's answer, a dying holder's exit) run on `clock`: the engine's.
 */
export async function lockDataDir(dataDir: string, clock: Clock = systemClock): Promise<DirLock> {
  const held: net.Server[] = [];
  try {
    if (process.platform === "linux") {
      const { dev, ino } = await stat(dataDir, { bigint: true });
      held.push(await takeAbstractSocket(dataDir, `\0tributary-data-dir/${dev}/${ino}`, clock));
    }
    const limitation = await takeLockFile(dataDir, held, clock);
    return {
      ...(limitation !== undefined && { limitation }),
      release: () => closeAll(held),
    };
  } catch (error) {
    await closeAll(held);
    throw error;
  }
}

async function takeAbstractSocket(dataDir: string, name: string, clock: Clock): Promise<net.Server> {
  const deadline = clock.nowMs() + dyingHolderWaitMs;
  for (;;) {
    const outcome = await listen(name);
    if (outcome instanceof net.Server) return outcome;
    if (outcome.code !== "EADDRINUSE") throw lockFailure(dataDir, "its lock socket", outcome);
    const answer = await askOwner(name, clock);
    if (answer.live) throw inUse(dataDir, answer, false);
    // Bound but not accepting: a holder that is dying (its last threads still exiting) or one
    // between its bind and its listen. Either settles within milliseconds.
    if (clock.nowMs() > deadline) throw new DataDirError(`${dataDir} is in use by another Tributary server, which does not answer`);
    await clock.sleep(dyingHolderPollMs);
  }
}

/** Adds the socket file to `held`; returns a limitation instead where the abstract socket suffices. */
async function takeLockFile(dataDir: string, held: net.Server[], clock: Clock): Promise<string | undefined> {
  const path = `${dataDir}/${lockFileName}`;
  const abstractHeld = held.length > 0;
  if (Buffer.byteLength(path) > socketPathBytesMax) {
    const why = `${path} is longer than a socket path may be (${socketPathBytesMax} bytes)`;
    if (abstractHeld) return `${why}: servers in other network namespaces (containers) sharing the directory are not excluded`;
    throw new DataDirError(`cannot lock the data directory ${dataDir}: ${why}`);
  }
  for (let attempt = 0; attempt < staleReplaceAttemptsMax; attempt++) {
    const outcome = await listen(path);
    if (outcome instanceof net.Server) {
      held.push(outcome);
      return undefined;
    }
    if (outcome.code !== "EADDRINUSE") {
      if (abstractHeld && !notWritableCodes.has(outcome.code ?? "")) {
        return `${path} cannot be a socket here (${outcome.code}): servers in other network namespaces (containers) sharing the directory are not excluded`;
      }
      throw lockFailure(dataDir, path, outcome);
    }
    const answer = await askOwner(path, clock);
    if (answer.live) throw inUse(dataDir, answer, abstractHeld);
    // A dead holder's socket (or an old PID file): nobody answers, so it is ours to replace.
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw lockFailure(dataDir, path, error);
    });
  }
  throw new DataDirError(`cannot lock the data directory ${dataDir}: ${path} kept reappearing`);
}

function listen(path: string): Promise<net.Server | NodeJS.ErrnoException> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => {
      socket.on("error", () => undefined);
      socket.end(ownerLine);
    });
    server.once("error", resolve);
    server.listen(path, () => {
      server.off("error", resolve);
      // A lock must never be what keeps the process alive.
      server.unref();
      resolve(server);
    });
  });
}

interface OwnerAnswer {
  live: boolean;
  pid?: number;
  /** Whether the holder is this very process (its instance id is ours). */
  self?: boolean;
  /** Whether the holder's PID namespace differs from ours (another container: its pid means nothing here). */
  otherPidNamespace?: boolean;
}

function parseOwnerLine(text: string): OwnerAnswer {
  const [pidText, instance, namespace] = text.trim().split(" ");
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return { live: true };
  return { live: true, pid, self: instance === instanceId, otherPidNamespace: namespace !== undefined && namespace !== pidNamespace };
}

/**
 * Connects to a lock socket: a holder answers with its pid. Refused (ECONNREFUSED: nobody
 * listens, or not a socket at all), gone (ENOENT) or reset before it said anything (ECONNRESET:
 * a holder being killed drops its queue) means no live holder. Anything else — EACCES, EAGAIN on
 * a full backlog, silence — cannot prove the holder dead.
 */
function askOwner(path: string, clock: Clock): Promise<OwnerAnswer> {
  return new Promise((resolve) => {
    let text = "";
    const socket = net.connect(path);
    const finish = (answer: OwnerAnswer) => {
      clock.clearTimer(timer);
      socket.destroy();
      resolve(answer);
    };
    const finishWithPid = () => finish(parseOwnerLine(text));
    const timer = clock.setTimeout(finishWithPid, ownerAnswerTimeoutMs);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("\n") || text.length > 256) finishWithPid();
    });
    socket.on("end", finishWithPid);
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (text.length > 0) return finishWithPid();
      finish({ live: !deadHolderCodes.has(error.code ?? "") });
    });
  });
}

function inUse(dataDir: string, owner: OwnerAnswer, otherNetworkNamespace: boolean): DataDirError {
  const details: string[] = [];
  if (owner.self === true) details.push("this process");
  else if (owner.pid !== undefined) details.push(owner.otherPidNamespace === true ? `pid ${owner.pid} in another PID namespace` : `pid ${owner.pid}`);
  if (otherNetworkNamespace) details.push("in another network namespace");
  return new DataDirError(`${dataDir} is in use by another Tributary server${details.length === 0 ? "" : ` (${details.join(", ")})`}`);
}

function lockFailure(dataDir: string, what: string, error: NodeJS.ErrnoException): DataDirError {
  return new DataDirError(`cannot lock the data directory ${dataDir}: creating ${what}: ${errnoText(error)}`, { cause: error });
}

async function closeAll(servers: net.Server[]): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
}
