// A stream's shards drawn over the 128-bit hash key space as SVG: x is the hash key (0 at the
// left, 2^128 - 1 at the right), each row a generation (a shard one row below its deepest
// parent), lines join each parent to its children. Open shards are filled, closed ones outlined.
// Each shard is a focusable button (Enter or Space selects it); the table beside it has the same facts.
import { h } from "./dom.js";

const hashSpace = 2n ** 128n;
const width = 1000;
const rowHeight = 46;
const barHeight = 28;
const margin = 4;

/** The fraction (0–1) of the hash space at a decimal hash key. */
function fraction(hashKey) {
  return Number((BigInt(hashKey) * 1_000_000n) / hashSpace) / 1_000_000;
}

/** Generation of each shard: 0 without a parent in the list, else one more than its deepest parent. */
export function generations(shards) {
  const byId = new Map(shards.map((shard) => [shard.ShardId, shard]));
  const depth = new Map();
  const depthOf = (shard, seen = new Set()) => {
    if (depth.has(shard.ShardId)) return depth.get(shard.ShardId);
    if (seen.has(shard.ShardId)) return 0;
    seen.add(shard.ShardId);
    const parents = [shard.ParentShardId, shard.AdjacentParentShardId].map((id) => id && byId.get(id)).filter(Boolean);
    const value = parents.length === 0 ? 0 : 1 + Math.max(...parents.map((parent) => depthOf(parent, seen)));
    depth.set(shard.ShardId, value);
    return value;
  };
  shards.forEach((shard) => depthOf(shard));
  return depth;
}

/** The map as an <svg>; `onSelect(shardId)` runs when a shard is clicked or chosen with the keyboard. */
export function shardMap(shards, { selected, onSelect }) {
  const depth = generations(shards);
  const rows = Math.max(1, ...[...depth.values()].map((d) => d + 1));
  const height = rows * rowHeight + 20;
  const place = new Map();
  for (const shard of shards) {
    const x0 = fraction(shard.HashKeyRange.StartingHashKey) * width;
    const x1 = (fraction(shard.HashKeyRange.EndingHashKey) + 1 / 1_000_000) * width;
    const y = depth.get(shard.ShardId) * rowHeight + margin;
    place.set(shard.ShardId, { x0, x1, y });
  }
  const lines = [];
  for (const shard of shards) {
    for (const parentId of [shard.ParentShardId, shard.AdjacentParentShardId]) {
      const parent = parentId && place.get(parentId);
      if (!parent) continue;
      const child = place.get(shard.ShardId);
      const x = (Math.max(parent.x0, child.x0) + Math.min(parent.x1, child.x1)) / 2;
      lines.push(h("line", { class: "lineage", x1: x, y1: parent.y + barHeight, x2: x, y2: child.y }));
    }
  }
  const bars = shards.map((shard) => {
    const { x0, x1, y } = place.get(shard.ShardId);
    const closed = Boolean(shard.SequenceNumberRange.EndingSequenceNumber);
    const percent = (value) => `${(fraction(value) * 100).toFixed(1)}%`;
    const label = `${shard.ShardId}, ${closed ? "closed" : "open"}, hash keys ${percent(shard.HashKeyRange.StartingHashKey)} to ${percent(shard.HashKeyRange.EndingHashKey)}`;
    const choose = () => onSelect(shard.ShardId);
    const barWidth = Math.max(x1 - x0 - 2, 2);
    return h("g", {
      class: `shard ${closed ? "closed" : "open"}${shard.ShardId === selected ? " selected" : ""}`,
      role: "button", tabindex: 0, "aria-label": label, "aria-pressed": String(shard.ShardId === selected), "data-shard-id": shard.ShardId,
      onclick: choose,
      onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(); } },
    },
    h("title", {}, `${label}\n${shard.HashKeyRange.StartingHashKey} – ${shard.HashKeyRange.EndingHashKey}`),
    h("rect", { x: x0 + 1, y, width: barWidth, height: barHeight, rx: 4 }),
    barWidth > 70 ? h("text", { x: x0 + barWidth / 2 + 1, y: y + barHeight / 2 + 4, "text-anchor": "middle" }, shard.ShardId.replace(/^shardId-0*(?=\d)/, "#")) : null);
  });
  const axis = [0, 0.25, 0.5, 0.75, 1].map((at) => h("text", { class: "axis", x: Math.min(Math.max(at * width, 12), width - 12), y: height - 4, "text-anchor": at === 0 ? "start" : at === 1 ? "end" : "middle" }, at === 0 ? "0" : at === 1 ? "2¹²⁸" : `${at * 100}%`));
  const svg = h("svg", { class: "shard-map", viewBox: `0 0 ${width} ${height}`, role: "group", "aria-label": `Shard map: ${shards.length} shards over the hash key space`, "data-shard-count": shards.length, "data-open-count": shards.filter((s) => !s.SequenceNumberRange.EndingSequenceNumber).length },
    h("desc", {}, "Shards by hash key range, one row per generation; lines join parents to children."),
    lines, bars, axis);
  if (selected) queueMicrotask(() => svg.querySelector(`[data-shard-id="${CSS.escape(selected)}"]`)?.focus({ preventScroll: true }));
  return svg;
}
