/**
 * When an append is acknowledged (docs/formats/log-segment.md, "Durability"):
 * - always:   after fdatasync of every file it touched: survives power loss.
 * - interval: after write(2) (survives a process crash); fdatasync every fsyncIntervalMs.
 * - never:    after write(2); fdatasync only at segment roll, index checkpoints and close.
 */
export type FsyncPolicy = "always" | "interval" | "never";
