/**
 * HOTSPOTS(cursor, windowSize, scanRadius, minimumNumberOfPointsInAHotspot): every input row comes
 * out with its columns plus HOTSPOTS_RESULT, the dense regions among the last windowSize rows'
 * numeric columns as JSON — {"hotspots":[{"density":…,"minValues":[…],"maxValues":[…]}, …]}, the
 * shape the developer guide's hotspot viewer reads — densest first.
 *
 * A hotspot is a DBSCAN cluster (hotspot-window.ts); minValues and maxValues bound its points per
 * numeric column, in column order; density is its number of points over the volume of that box,
 * each side taken as at least scanRadius (so a flat or single-valued side does not divide by zero).
 * With the guide's data (1,000-point window, 20 % of points in a 1×1 square of a 10×10 plane,
 * scanRadius 0.2) the hotspot's density is about 200, which its viewer's threshold of 40 keeps.
 *
 * Numeric columns as for RANDOM_CUT_FOREST (DOUBLE, INTEGER, FLOAT, TINYINT, SMALLINT, REAL, BIGINT);
 * a row with a null or non-finite one is passed through with the current hotspots and not counted.
 */
import type { Column, Row } from "../../types.js";
import type { TableFunction, TableFunctionInstance } from "../contracts.js";
import { HotspotWindow, type Hotspot, type HotspotWindowState } from "./hotspot-window.js";
import { ArgumentError, checkArity, integerArgument, isModelNumeric, numberArgument, resolving } from "./params.js";

const windowSizeMax = 10_000;

class HotspotsInstance implements TableFunctionInstance {
  private readonly window: HotspotWindow;
  private readonly values: Float64Array;
  private lastHotspots: Hotspot[] | null = null;
  private lastResult = "";

  constructor(
    private readonly numeric: readonly number[],
    windowSize: number,
    private readonly radius: number,
    minimumPoints: number,
  ) {
    this.window = new HotspotWindow(windowSize, numeric.length, radius, minimumPoints);
    this.values = new Float64Array(numeric.length);
  }

  push(row: Row, rowtimeMs: number, emit: (row: Row, rowtimeMs: number) => void): void {
    let complete = true;
    for (let i = 0; i < this.numeric.length; i++) {
      const value = row[this.numeric[i]!];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        complete = false;
        break;
      }
      this.values[i] = value;
    }
    if (complete) this.window.add(this.values);
    emit([...row, this.result()], rowtimeMs);
  }

  advance(): void {}

  snapshot(): HotspotWindowState {
    return this.window.snapshot();
  }

  restore(state: unknown): void {
    this.window.restore(state as HotspotWindowState);
    this.lastHotspots = null;
  }

  private result(): string {
    const hotspots = this.window.current();
    if (hotspots === this.lastHotspots) return this.lastResult;
    const described = hotspots.map((hotspot) => {
      let volume = 1;
      for (let i = 0; i < hotspot.min.length; i++) volume *= Math.max(hotspot.max[i]! - hotspot.min[i]!, this.radius);
      return { density: hotspot.count / volume, minValues: hotspot.min, maxValues: hotspot.max };
    });
    described.sort((a, b) => b.density - a.density);
    this.lastHotspots = hotspots;
    this.lastResult = JSON.stringify({ hotspots: described });
    return this.lastResult;
  }
}

export const hotspotsFunction: TableFunction = {
  name: "HOTSPOTS",
  resolve(input, args) {
    return resolving(() => {
      const name = "HOTSPOTS";
      checkArity(name, args, 3);
      const windowSize = integerArgument(name, args, 0, { name: "windowSize", min: 2, max: windowSizeMax });
      const radius = numberArgument(name, args, 1, "scanRadius", (value) => Number.isFinite(value) && value > 0, "a positive number");
      const minimumPoints = integerArgument(name, args, 2, { name: "minimumNumberOfPointsInAHotspot", min: 2, max: windowSize });
      const numeric = input.flatMap((column, index) => (isModelNumeric(column.type) ? [index] : []));
      if (numeric.length === 0) throw new ArgumentError(`${name}: the input stream has no numeric column (DOUBLE, INTEGER, FLOAT, TINYINT, SMALLINT, REAL or BIGINT)`);
      // Room for every hotspot the window can hold: ~26 characters a number.
      const hotspotsMax = Math.floor(windowSize / minimumPoints);
      const length = 16 + hotspotsMax * (48 + 2 * numeric.length * 26);
      const columns: Column[] = [...input, { name: "HOTSPOTS_RESULT", type: { name: "VARCHAR", precision: length, nullable: false } }];
      return { columns, create: () => new HotspotsInstance(numeric, windowSize, radius, minimumPoints) };
    });
  },
};
