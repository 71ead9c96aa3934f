/**
 * Records/s of Firehose's MetadataExtraction processor (src/firehose/processors: jq-web, jq in
 * WebAssembly, records sent to jq in batches) on 1 KiB JSON records, with the query of AWS's
 * dynamic partitioning guide: `node --import tsx bench/firehose/metadata-extraction.ts [records] [rounds]`.
 * Prints one JSON line per round (records/s, event-loop ms per 1,000 records) and the median.
 */
import { createProcessors } from "../../src/firehose/processors/index.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

const recordCount = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 5);
const [processor] = createProcessors(
  {
    Enabled: true,
    Processors: [{ Type: "MetadataExtraction", Parameters: [{ ParameterName: "MetadataExtractionQuery", ParameterValue: '{customerId: .customer_id, year: .event_time | strftime("%Y")}' }, { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" }] }],
  },
  { accountId: "000000000000", region: "us-east-1", deliveryStreamArn: "arn:aws:firehose:us-east-1:000000000000:deliverystream/bench", functionInvoker: { invoke: async () => { throw new Error("no functions here"); } }, clock: systemClock, random: new SeededRandom(1), logger: silentLogger },
);
const records = Array.from({ length: recordCount }, (_, i) => ({ recordId: String(i), data: Buffer.from(JSON.stringify({ customer_id: `c${i % 500}`, event_time: 1_600_000_000 + i, pad: "x".repeat(950) })), approximateArrivalTimestampMs: 0 }));
await processor!.process(records.slice(0, 1)); // loads jq
const rates: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const outcome = await processor!.process(records);
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (outcome.ok.length !== recordCount) throw new Error(`only ${outcome.ok.length} of ${recordCount} records extracted`);
  const recordsPerSecond = Math.round(recordCount / (elapsedMs / 1000));
  rates.push(recordsPerSecond);
  console.log(JSON.stringify({ round, recordsPerSecond, cpuMsPer1000Records: Number((((cpu.user + cpu.system) / 1000) / (recordCount / 1000)).toFixed(2)) }));
}
rates.sort((a, b) => a - b);
console.log(JSON.stringify({ medianRecordsPerSecond: rates[Math.floor(rates.length / 2)], recordBytes: records[0]!.data.length }));
