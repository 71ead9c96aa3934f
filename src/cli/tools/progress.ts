/**
 * Progress bars on stderr (cli-progress), drawn only when stderr is a terminal: in a pipe, a log
 * file or a test, nothing is written, and the tools' stdout carries only their results. The bar
 * is cleared when it stops, so a terminal keeps just the final count line.
 */
import cliProgress from "cli-progress";
import type { ToolContext } from "./context.js";

export interface Progress {
  /** Moves the bar to `value` (of the total, when there is one), with the counts its label shows. */
  update(value: number, payload?: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

const silent: Progress = { update() {}, setTotal() {}, stop() {} };

/**
 * A bar whose `format` is cli-progress's (`{bar}`, `{percentage}`, `{value}`, `{total}` and the
 * payload's own names); with `total` undefined the format should have no bar (nothing to fill).
 */
export function progressBar(context: ToolContext, format: string, total: number | undefined, payload: Record<string, string | number> = {}): Progress {
  if (!context.stderr.isTTY) return silent;
  const bar = new cliProgress.SingleBar(
    { format, stream: context.stderr, clearOnComplete: true, hideCursor: true, barsize: 30, fps: 5, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total ?? 0, 0, payload);
  return {
    update: (value, values) => bar.update(value, values ?? {}),
    setTotal: (newTotal) => bar.setTotal(newTotal),
    stop: () => bar.stop(),
  };
}

/** 1536 → "1.5 KiB": byte counts for progress labels and the stats table. */
export function bytesText(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}
