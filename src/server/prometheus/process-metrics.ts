/**
 * The process's own metrics for /metrics (docs/prometheus.md, "Process metrics"), under the names
 * Prometheus' client libraries use (`process_*`, `nodejs_*`) so existing dashboards read them:
 * CPU, resident memory, heap, open file descriptors, event-loop delay (perf_hooks'
 * monitorEventLoopDelay), garbage collections by kind (a PerformanceObserver of 'gc' entries),
 * and the embedded engine's sync latency (src/storage/embedded/sync-observer.ts) as a histogram.
 *
 * These watch the whole process, so they are started once per process, by the first server that
 * serves /metrics, and never stopped (their timer and observer keep no process alive). A process
 * that never serves /metrics starts none of them.
 */
import { readdir, readFile } from "node:fs/promises";
import { PerformanceObserver, constants as perfConstants, monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { setSyncObserver, type SyncOperation } from "../../storage/embedded/sync-observer.js";
import type { Labels, MetricFamily, Sample } from "./exposition.js";

/** How often the event-loop delay is sampled (perf_hooks' default): the smallest delay it can see. */
const eventLoopResolutionMs = 10;

/** Upper bounds of the sync histogram's buckets, in seconds: 50 µs (a write into a disk's cache) to 2.5 s (a stalled device). */
export const syncBucketsSeconds: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const syncOperations: readonly SyncOperation[] = ["fdatasync", "fsync", "dsync_write"];

interface SyncHistogram {
  /** Per bucket (the last is +Inf), not yet cumulative. */
  counts: number[];
  sumSeconds: number;
  count: number;
}

const gcKinds: ReadonlyMap<number, string> = new Map([
  [perfConstants.NODE_PERFORMANCE_GC_MINOR, "minor"],
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR, "major"],
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL, "incremental"],
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB, "weakcb"],
]);

class ProcessWatch {
  private readonly eventLoop: IntervalHistogram = monitorEventLoopDelay({ resolution: eventLoopResolutionMs });
  /** The delays of earlier scrapes (the histogram is reset at each, so its quantiles are of the time since the last). */
  private eventLoopSumSeconds = 0;
  private eventLoopCount = 0;
  /** Every known kind from the start, at zero: a scrape before the first collection still shows the family (0 collections is a fact). */
  private readonly gc = new Map<string, { count: number; seconds: number }>([...gcKinds.values()].map((kind) => [kind, { count: 0, seconds: 0 }]));
  private readonly syncs = new Map<SyncOperation, SyncHistogram>();

  constructor() {
    this.eventLoop.enable();
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = gcKinds.get((entry as { detail?: { kind?: number } }).detail?.kind ?? -1) ?? "other";
        let totals = this.gc.get(kind);
        if (totals === undefined) this.gc.set(kind, (totals = { count: 0, seconds: 0 }));
        totals.count++;
        totals.seconds += entry.duration / 1000;
      }
    });
    observer.observe({ entryTypes: ["gc"] });
    setSyncObserver((operation, seconds) => this.observeSync(operation, seconds));
  }

  private observeSync(operation: SyncOperation, seconds: number): void {
    let histogram = this.syncs.get(operation);
    if (histogram === undefined) this.syncs.set(operation, (histogram = { counts: new Array<number>(syncBucketsSeconds.length + 1).fill(0), sumSeconds: 0, count: 0 }));
    let bucket = 0;
    while (bucket < syncBucketsSeconds.length && seconds > syncBucketsSeconds[bucket]!) bucket++;
    histogram.counts[bucket]!++;
    histogram.sumSeconds += seconds;
    histogram.count++;
  }

  async families(startTimeSeconds: number): Promise<MetricFamily[]> {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const families: MetricFamily[] = [
      gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds", startTimeSeconds),
      counter("process_cpu_user_seconds_total", "User CPU time spent, in seconds", cpu.user / 1e6),
      counter("process_cpu_system_seconds_total", "System CPU time spent, in seconds", cpu.system / 1e6),
      counter("process_cpu_seconds_total", "User and system CPU time spent, in seconds", (cpu.user + cpu.system) / 1e6),
      gauge("process_resident_memory_bytes", "Resident memory size, in bytes", memory.rss),
      gauge("nodejs_heap_size_total_bytes", "V8 heap size, in bytes", memory.heapTotal),
      gauge("nodejs_heap_size_used_bytes", "V8 heap in use, in bytes", memory.heapUsed),
      gauge("nodejs_external_memory_bytes", "Memory of C++ objects bound to JavaScript objects (Buffers among them), in bytes", memory.external),
    ];
    const openFds = await countEntries("/proc/self/fd");
    if (openFds !== undefined) families.push(gauge("process_open_fds", "Open file descriptors", openFds));
    const maxFds = await maxOpenFiles();
    if (maxFds !== undefined) families.push(gauge("process_max_fds", "The limit on open file descriptors", maxFds));
    families.push(...this.eventLoopFamilies(), this.gcFamily(), this.syncFamily());
    return families;
  }

  private eventLoopFamilies(): MetricFamily[] {
    const histogram = this.eventLoop;
    const fresh = histogram.count;
    // The histogram records the time between its timer's runs, the sampling interval included:
    // the delay is what lies beyond it.
    const delaySeconds = (nanoseconds: number) => Math.max(0, nanoseconds - eventLoopResolutionMs * 1e6) / 1e9;
    const quantile = (q: number) => (fresh === 0 ? NaN : delaySeconds(histogram.percentile(q * 100)));
    // Sum and count are kept across scrapes (a summary's must only rise); the quantiles and the
    // maximum are of the delays since the last scrape, and the histogram starts again.
    if (fresh > 0) {
      this.eventLoopSumSeconds += delaySeconds(histogram.mean) * fresh;
      this.eventLoopCount += fresh;
    }
    const maxSeconds = fresh === 0 ? NaN : delaySeconds(histogram.max);
    const samples: Sample[] = [0.5, 0.9, 0.99].map((q) => ({ labels: [["quantile", String(q)]], value: quantile(q) }));
    samples.push({ suffix: "_sum", value: this.eventLoopSumSeconds }, { suffix: "_count", value: this.eventLoopCount });
    histogram.reset();
    return [
      {
        name: "nodejs_eventloop_delay_seconds",
        help: `Event-loop delay sampled every ${eventLoopResolutionMs} ms, in seconds (quantiles since the previous scrape)`,
        type: "summary",
        samples,
      },
      gauge("nodejs_eventloop_delay_max_seconds", "The longest event-loop delay since the previous scrape, in seconds", maxSeconds),
    ];
  }

  private gcFamily(): MetricFamily {
    const samples: Sample[] = [];
    for (const [kind, totals] of [...this.gc].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const labels: Labels = [["kind", kind]];
      samples.push({ suffix: "_sum", labels, value: totals.seconds }, { suffix: "_count", labels, value: totals.count });
    }
    return { name: "nodejs_gc_duration_seconds", help: "Garbage collections by kind: how many, and their time in seconds", type: "summary", samples };
  }

  private syncFamily(): MetricFamily {
    const samples: Sample[] = [];
    for (const operation of syncOperations) {
      const histogram = this.syncs.get(operation);
      if (histogram === undefined) continue;
      let cumulative = 0;
      for (let bucket = 0; bucket <= syncBucketsSeconds.length; bucket++) {
        cumulative += histogram.counts[bucket]!;
        const le = bucket < syncBucketsSeconds.length ? String(syncBucketsSeconds[bucket]) : "+Inf";
        samples.push({ suffix: "_bucket", labels: [["operation", operation], ["le", le]], value: cumulative });
      }
      samples.push({ suffix: "_sum", labels: [["operation", operation]], value: histogram.sumSeconds }, { suffix: "_count", labels: [["operation", operation]], value: histogram.count });
    }
    return {
      name: "tributary_storage_sync_duration_seconds",
      help: "How long the embedded engine's durable writes took, in seconds: fdatasync of a file, fsync of a directory, a write through an O_DSYNC descriptor (--fsync always)",
      type: "histogram",
      samples,
    };
  }
}

function gauge(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: "gauge", samples: [{ value }] };
}

function counter(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: "counter", samples: [{ value }] };
}

/** Entries of a directory (/proc/self/fd: one per open descriptor), or undefined where there is no /proc. */
async function countEntries(dir: string): Promise<number | undefined> {
  try {
    // The listing's own descriptor is among them while it is read: one less is what was open.
    return (await readdir(dir)).length - 1;
  } catch {
    return undefined;
  }
}

/** The soft limit on open files from /proc/self/limits, or undefined (no /proc, or unlimited). */
async function maxOpenFiles(): Promise<number | undefined> {
  try {
    const line = (await readFile("/proc/self/limits", "utf8")).split("\n").find((text) => text.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

let watch: ProcessWatch | undefined;

/** The process's watch, started on first call (idempotent). */
export function processWatch(): ProcessWatch {
  watch ??= new ProcessWatch();
  return watch;
}

export type { ProcessWatch };
