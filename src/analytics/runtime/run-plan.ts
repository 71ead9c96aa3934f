/**
 * What a runner needs of an application, derived from its stored configuration: the code unit and
 * its hash, the input's source and starting point, the outputs' destinations, the reference tables.
 */
import { createHash } from "node:crypto";
import type { StoredApplication, StoredInput, StoredOutput } from "../model.js";
import { codeUnitOf, type CodeUnit } from "./compiler.js";
import { inputStreamNames, sourceKindOf } from "./application-schema.js";
import type { WorkerInput, WorkerOutput, WorkerReference } from "./worker/protocol.js";

export interface RunPlan {
  unit: CodeUnit;
  /** Identifies the code and the configuration the engine's state belongs to. */
  codeHash: string;
  input: StoredInput | undefined;
  workerInputs: WorkerInput[];
  workerOutputs: WorkerOutput[];
  workerReferences: WorkerReference[];
}

export function runPlanOf(application: StoredApplication): RunPlan {
  const unit = codeUnitOf(application);
  const workerInputs = application.inputs.map((input) => ({ streams: inputStreamNames(input), schema: input.InputSchema, source: sourceKindOf(input) }));
  const workerOutputs = application.outputs.map((output) => ({ outputId: output.OutputId, stream: output.Name, format: output.DestinationSchema.RecordFormatType }));
  const workerReferences = application.references.map((reference) => ({ table: reference.TableName, schema: reference.ReferenceSchema }));
  const codeHash = createHash("sha256").update(JSON.stringify({ unit, workerInputs, workerOutputs, workerReferences })).digest("hex");
  return { unit, codeHash, input: application.inputs[0], workerInputs, workerOutputs, workerReferences };
}

/** The ARN an output writes to. */
export function outputArn(output: StoredOutput): string {
  return (output.KinesisStreamsOutput ?? output.KinesisFirehoseOutput ?? output.LambdaOutput)!.ResourceARN;
}
