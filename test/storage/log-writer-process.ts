/**
 * A process that opens the embedded engine on a data directory (taking its lock) and appends to
 * one shard on command, for test/storage/log-follower.test.ts: prints "ready", then for each stdin
 * line "append <count> <arrivalMs>" appends that many records and prints "appended <endOffset>".
 */
import { createInterface } from "node:readline";
import { createEmbeddedEngine } from "../../src/storage/index.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { putStream, streamsCatalog } from "../../src/streams/stream-catalog.js";
import { account, streamMeta } from "./cases.js";

const [dataDir, streamId] = process.argv.slice(2);
const engine = await createEmbeddedEngine({
  dataDir: dataDir!, fsync: "always", clock: systemClock, random: new SeededRandom(5), logger: silentLogger, accountId: account, segmentBytesMax: 4096,
});
await putStream(streamsCatalog(engine), streamMeta("followed", { streamId: streamId! }));
const log = engine.logs.shard(streamId!, 0);
let appended = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const [command, countText, arrivalText] = line.split(" ");
  if (command !== "append") continue;
  const records = Array.from({ length: Number(countText) }, () => ({ partitionKey: `p${appended}`, data: Buffer.from(`record ${appended++} `.padEnd(300, "#")) }));
  const outcome = await log.append(records, Number(arrivalText));
  process.stdout.write(outcome.ok ? `appended ${log.endOffset()}\n` : `failed ${outcome.failure.message}\n`);
}
await engine.close();
