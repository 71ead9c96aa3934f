/**
 * Reads an `strace -f -ttt -T -yy -s N` log and checks the durability ordering promise of
 * `--fsync always`: the answer to a PutRecord(s) leaves the server only after an fdatasync that
 * covers the file writes carrying its records.
 *
 * How a request is followed through the trace: its partition keys start with a unique marker, so
 * the socket read that brought it in and the segment writes that carry its frames (each batch's
 * first frame starts with a partition key of that request) contain the marker. Its answer is the
 * first write on the same TCP connection after the read (the client sends one request at a time
 * per connection). The check, for every marker: every segment write carrying it is followed, on
 * the same file, by an fdatasync that starts after that write returned and returns before the
 * answer's write starts — or was made through a descriptor opened with O_DSYNC (or O_SYNC), so
 * that the write itself returned only once durable (`openat` must be traced for that).
 */

export interface TraceEvent {
  thread: number;
  startS: number;
  endS: number;
  name: string;
  /** The first argument's `-yy` decoration: a path, or `TCP:[a->b]` for a socket. */
  target: string;
  /** The rest of the line as strace printed it (arguments, including buffer contents up to -s). */
  text: string;
  result: string;
}

const startLine = /^(\d+)\s+(\d+\.\d+)\s+([a-z0-9_]+)\((.*)$/;
const resumedLine = /^(\d+)\s+(\d+\.\d+)\s+<\.\.\. ([a-z0-9_]+) resumed>(.*)$/;
const ending = /\)\s+=\s+(.*?)\s+<(\d+\.\d+)>$/;

/** Parses the log; calls split by other threads (`<unfinished ...>` … `<... resumed>`) are joined. */
export function parseTrace(log: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  const unfinished = new Map<number, { startS: number; name: string; head: string }>();
  for (const line of log.split("\n")) {
    let thread: number;
    let startS: number;
    let name: string;
    let body: string;
    const resumed = resumedLine.exec(line);
    if (resumed) {
      thread = Number(resumed[1]);
      const open = unfinished.get(thread);
      if (!open || open.name !== resumed[3]) continue;
      unfinished.delete(thread);
      startS = open.startS;
      name = open.name;
      body = open.head + resumed[4]!;
    } else {
      const started = startLine.exec(line);
      if (!started) continue;
      thread = Number(started[1]);
      startS = Number(started[2]);
      name = started[3]!;
      body = started[4]!;
      if (body.endsWith("<unfinished ...>")) {
        unfinished.set(thread, { startS, name, head: body.slice(0, -"<unfinished ...>".length) });
        continue;
      }
    }
    const end = ending.exec(body);
    if (!end) continue;
    // A socket's decoration holds "->" (TCP:[a->b]), so only a ">" not after "-" ends it.
    const target = /^\d+<((?:[^>]|(?<=-)>)*)>/.exec(body)?.[1] ?? "";
    events.push({ thread, startS, endS: startS + Number(end[2]), name, target, text: body, result: end[1]! });
  }
  return events.sort((a, b) => a.startS - b.startS);
}

const socketReads = new Set(["read", "readv", "recvfrom", "recvmsg"]);
const socketWrites = new Set(["write", "writev", "sendto", "sendmsg"]);
const fileWrites = new Set(["pwrite64", "pwritev", "pwritev2", "write", "writev"]);
const syncs = new Set(["fdatasync", "fsync"]);
const opens = new Set(["openat", "open"]);

/** The descriptor number a call was made on (`-yy` prints it before the decoration). */
function descriptorOf(text: string): number | undefined {
  const match = /^(\d+)</.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * Whether `write` went through a descriptor whose latest open before it asked for O_DSYNC or
 * O_SYNC: such a write returns only once its data is durable.
 */
function throughSyncedDescriptor(events: readonly TraceEvent[], write: TraceEvent): boolean {
  const fd = descriptorOf(write.text);
  if (fd === undefined) return false;
  let latest: TraceEvent | undefined;
  for (const event of events) {
    if (event.startS > write.startS) break;
    if (opens.has(event.name) && descriptorOf(event.result) === fd && event.endS <= write.startS) latest = event;
  }
  return latest !== undefined && /\bO_D?SYNC\b/.test(latest.text);
}

export interface OrderingReport {
  /** Markers followed from request to answer. */
  checked: number;
  /** Segment writes found carrying a checked marker. */
  segmentWrites: number;
  /** Of those, how many went through an O_DSYNC descriptor (durable when they returned). */
  syncedWrites: number;
  violations: string[];
}

/** `markers` are the partition-key prefixes of the requests whose answers the client received. */
export function checkAckAfterFsync(events: readonly TraceEvent[], markers: readonly string[], segmentSuffix = ".log"): OrderingReport {
  const report: OrderingReport = { checked: 0, segmentWrites: 0, syncedWrites: 0, violations: [] };
  const isSocket = (event: TraceEvent) => event.target.startsWith("TCP");
  for (const marker of markers) {
    const needle = `"${marker}`;
    const request = events.find((event) => socketReads.has(event.name) && isSocket(event) && event.text.includes(needle));
    if (!request) {
      report.violations.push(`${marker}: its request was not found in the trace`);
      continue;
    }
    const answer = events.find((event) => socketWrites.has(event.name) && event.target === request.target && event.startS >= request.endS);
    if (!answer) {
      report.violations.push(`${marker}: no answer on ${request.target} after its request`);
      continue;
    }
    const writes = events.filter((event) => fileWrites.has(event.name) && event.target.endsWith(segmentSuffix) && event.text.includes(marker));
    if (writes.length === 0) {
      report.violations.push(`${marker}: no segment write carries it`);
      continue;
    }
    report.checked++;
    for (const write of writes) {
      report.segmentWrites++;
      if (write.startS > answer.startS) {
        report.violations.push(`${marker}: answered at ${answer.startS} before its records were even written (${write.startS})`);
        continue;
      }
      if (throughSyncedDescriptor(events, write)) {
        report.syncedWrites++;
        continue;
      }
      const covered = events.some(
        (event) => syncs.has(event.name) && event.target === write.target && event.result === "0" && event.startS >= write.endS && event.endS <= answer.startS,
      );
      if (!covered) report.violations.push(`${marker}: answered at ${answer.startS} without an fdatasync of ${write.target} after its write at ${write.startS} (nor O_DSYNC)`);
    }
  }
  return report;
}
