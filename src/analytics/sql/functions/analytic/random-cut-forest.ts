/**
 * RANDOM_CUT_FOREST(cursor, numberOfTrees, subSampleSize, timeDecay, shingleSize) and
 * RANDOM_CUT_FOREST_WITH_EXPLANATION(cursor, numberOfTrees, subSampleSize, timeDecay, shingleSize,
 * withDirectionality): every input row comes out with its columns plus ANOMALY_SCORE (DOUBLE), and
 * for the explanation form ANOMALY_EXPLANATION, a JSON object with, per numeric column,
 * ATTRIBUTION_SCORE (the column's share of the score; the shares sum to the score) and — with
 * withDirectionality — DIRECTION (HIGH or LOW: whether the value is anomalous for being above or
 * below what the forest has seen) and STRENGTH (how one-sided that is), each a string with four
 * decimals, as the developer guide's example shows.
 *
 * Only the numeric columns feed the model (DOUBLE, INTEGER, FLOAT, TINYINT, SMALLINT, REAL, BIGINT;
 * DECIMAL is not supported by the reference and is ignored here, like text). Defaults as the
 * reference gives them: 100 trees, sub-sample of 256, timeDecay 100000, shingle size 1, no
 * directionality. A row with a null (or non-finite) numeric value is passed through with a null
 * score and does not train the model.
 */
import type { Column, Row } from "../../types.js";
import type { TableFunction, TableFunctionImplementation, TableFunctionInstance } from "../contracts.js";
import { RandomCutForest, type ForestOptions, type ForestState } from "./rcf/forest.js";
import { ArgumentError, booleanArgument, checkArity, integerArgument, isModelNumeric, resolving } from "./params.js";

/** Past this ratio of the larger side to the smaller, STRENGTH stops growing (the smaller side is ~0). */
const strengthMax = 999;

interface ExplanationOptions {
  names: string[];
  directionality: boolean;
}

class RandomCutForestInstance implements TableFunctionInstance {
  private readonly forest: RandomCutForest;
  private readonly values: Float64Array;

  constructor(
    options: ForestOptions,
    private readonly numeric: readonly number[],
    private readonly explanation: ExplanationOptions | undefined,
  ) {
    this.forest = new RandomCutForest(options);
    this.values = new Float64Array(numeric.length);
  }

  push(row: Row, rowtimeMs: number, emit: (row: Row, rowtimeMs: number) => void): void {
    for (let i = 0; i < this.numeric.length; i++) {
      const value = row[this.numeric[i]!];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        emit(this.explanation ? [...row, null, null] : [...row, null], rowtimeMs);
        return;
      }
      this.values[i] = value;
    }
    const score = this.forest.process(this.values, this.explanation !== undefined);
    emit(this.explanation ? [...row, score, this.explain(this.explanation)] : [...row, score], rowtimeMs);
  }

  advance(): void {}

  snapshot(): ForestState {
    return this.forest.snapshot();
  }

  restore(state: unknown): void {
    this.forest.restore(state as ForestState);
  }

  /** The explanation JSON: per column, the attribution summed over the shingle's positions. */
  private explain(options: ExplanationOptions): string {
    const inputDim = options.names.length;
    const { high, low } = this.forest;
    const parts: string[] = [];
    for (let column = 0; column < inputDim; column++) {
      let up = 0;
      let down = 0;
      for (let at = column; at < high.length; at += inputDim) {
        up += high[at]!;
        down += low[at]!;
      }
      const attribution = `"ATTRIBUTION_SCORE":"${(up + down).toFixed(4)}"`;
      if (!options.directionality) {
        parts.push(`${JSON.stringify(options.names[column])}:{${attribution}}`);
        continue;
      }
      const larger = Math.max(up, down);
      const smaller = Math.min(up, down);
      const strength = larger === 0 ? 0 : Math.min(strengthMax, (larger - smaller) / Math.max(smaller, larger / (strengthMax + 1)));
      const direction = up >= down ? "HIGH" : "LOW";
      parts.push(`${JSON.stringify(options.names[column])}:{"DIRECTION":"${direction}","STRENGTH":"${strength.toFixed(4)}",${attribution}}`);
    }
    return `{${parts.join(",")}}`;
  }
}

function randomCutForest(name: string, withExplanation: boolean): TableFunction {
  return {
    name,
    resolve(input, args, _argTypes, seed) {
      return resolving((): TableFunctionImplementation => {
        checkArity(name, args, withExplanation ? 5 : 4);
        const numberOfTrees = integerArgument(name, args, 0, { name: "numberOfTrees", defaultValue: 100, min: 1, max: 1000 });
        const sampleSize = integerArgument(name, args, 1, { name: "subSampleSize", defaultValue: 256, min: 10, max: 1000 });
        const timeDecay = integerArgument(name, args, 2, { name: "timeDecay", defaultValue: 100000, min: 1, max: 2147483647 });
        const shingleSize = integerArgument(name, args, 3, { name: "shingleSize", defaultValue: 1, min: 1, max: 30 });
        const directionality = withExplanation ? booleanArgument(name, args, 4, "withDirectionality", false) : false;
        const numeric = input.flatMap((column, index) => (isModelNumeric(column.type) ? [index] : []));
        if (numeric.length === 0) throw new ArgumentError(`${name}: the input stream has no numeric column (DOUBLE, INTEGER, FLOAT, TINYINT, SMALLINT, REAL or BIGINT)`);
        const options: ForestOptions = { numberOfTrees, sampleSize, timeDecay, shingleSize, inputDim: numeric.length, seed };
        const names = numeric.map((index) => input[index]!.name);
        const explanation = withExplanation ? { names, directionality } : undefined;
        const columns: Column[] = [...input, { name: "ANOMALY_SCORE", type: { name: "DOUBLE", nullable: true } }];
        if (withExplanation) {
          // Room for every column's entry at its longest.
          const length = 2 + names.reduce((total, column) => total + JSON.stringify(column).length + 80, 0);
          columns.push({ name: "ANOMALY_EXPLANATION", type: { name: "VARCHAR", precision: length, nullable: true } });
        }
        return { columns, create: () => new RandomCutForestInstance(options, numeric, explanation) };
      });
    },
  };
}

export const randomCutForestFunction = randomCutForest("RANDOM_CUT_FOREST", false);
export const randomCutForestWithExplanationFunction = randomCutForest("RANDOM_CUT_FOREST_WITH_EXPLANATION", true);

