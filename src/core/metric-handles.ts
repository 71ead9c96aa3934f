import type { MetricId, MetricSeries, MetricsRecorder, MetricUnit } from "./metrics.js";
/**
 * The services' metric handles (a stream's, a delivery stream's: each holding its series), kept
 * per account and name, as CloudWatch keeps metrics per account (core/metrics.ts). Two map
 * lookups and no allocation find a kept handle, so a data-plane call can look its handle up
 * every time. Past `max` handles the cache starts again: handles are remade on demand, the
 * series they point at stay in the store — a bound on names that come and go.
 */
export class AccountHandles<Handle> {
  private readonly accounts = new Map<string, Map<string, Handle>>();
  private size = 0;

  constructor(
    private readonly max: number,
    private readonly make: (accountId: string, name: string) => Handle,
  ) {}

  get(accountId: string, name: string): Handle {
    let names = this.accounts.get(accountId);
    let handle = names?.get(name);
    if (handle !== undefined) return handle;
    if (this.size >= this.max) {
      this.accounts.clear();
      this.size = 0;
      names = undefined;
    }
    if (names === undefined) this.accounts.set(accountId, (names = new Map()));
    handle = this.make(accountId, name);
    names.set(name, handle);
    this.size++;
    return handle;
  }
}

/**
 * A series handle made before its first sample: the store registers a series (and ListMetrics
 * lists it) only once something is observed, as CloudWatch lists only metrics with data.
 */
export class LazySeries implements MetricSeries {
  private series: MetricSeries | undefined;

  constructor(
    private readonly recorder: MetricsRecorder,
    private readonly id: MetricId,
    private readonly unit: MetricUnit,
  ) {}

  observe(value: number): void {
    (this.series ??= this.recorder.series(this.id, this.unit)).observe(value);
  }
}
