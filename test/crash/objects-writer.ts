/**
 * The child process of test/crash/objects-kill9.test.ts: opens the embedded engine on a data
 * directory (fsync=always) and writes objects from several concurrent writers until it is killed.
 * Each writer owns its keys and does one thing at a time, announcing it before it starts and
 * after it is acknowledged:
 *
 *   try put <key> <id> <sizeBytes>     ack put <key> <id> <sizeBytes>
 *   try delete <key>                   ack delete <key>
 *
 * A put writes 1 or 2 blobs (the second as a completed multipart upload's record would name them)
 * of objectPayload(id) in 64 KiB chunks, then commits the record. A third of the puts are small
 * (at most 2 KiB: inline blobs, carried by their journal frames), and the inline budget is low
 * (objectsInlineBudgetBytes), so compactions spill them to files while the kill may come.
 * Prints "ready" once open.
 */
import { createEmbeddedEngine } from "../../src/storage/index.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import type { BlobRef } from "../../src/storage/types.js";
import { objectPayload, objectsInlineBudgetBytes } from "./objects-payload.js";

const [dataDir, roundText] = process.argv.slice(2);
const round = Number(roundText);
const writers = 6;
const engine = await createEmbeddedEngine({
  dataDir: dataDir!, fsync: "always", clock: systemClock, random: systemRandom, logger: silentLogger, accountId: "111122223333", objectInlineBudgetBytes: objectsInlineBudgetBytes,
});
await engine.objects.createBucket({ Name: "crash", accountId: "111122223333", region: "us-east-1", createdAtMs: 0, settings: {} });
process.stdout.write("ready\n");

async function* chunks(bytes: Buffer): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 65_536) yield bytes.subarray(at, at + 65_536);
}

function randomInt(bound: number): number {
  return systemRandom.bytes(4).readUInt32LE(0) % bound;
}

async function writer(index: number): Promise<void> {
  for (let n = 0; ; n++) {
    const key = `w${index}/k${randomInt(12)}/${"ключ🎉".repeat(randomInt(2))}`;
    if (randomInt(8) === 0) {
      process.stdout.write(`try delete ${key}\n`);
      const outcome = await engine.objects.deleteObject("crash", key);
      if (outcome.ok) process.stdout.write(`ack delete ${key}\n`);
      continue;
    }
    const id = `r${round}w${index}n${n}`;
    const roll = randomInt(30);
    const sizeBytes = roll < 3 ? 1_500_000 + randomInt(2_000_000) : roll < 20 ? randomInt(200_000) : randomInt(2048);
    process.stdout.write(`try put ${key} ${id} ${sizeBytes}\n`);
    const bytes = objectPayload(id, sizeBytes);
    const cut = randomInt(3) === 0 ? randomInt(sizeBytes + 1) : sizeBytes;
    const blobs: BlobRef[] = [];
    for (const part of cut === sizeBytes ? [bytes] : [bytes.subarray(0, cut), bytes.subarray(cut)]) {
      // Sometimes the length as a request declares it, sometimes not (a hint only).
      const written = await engine.objects.writeBlob(chunks(part), randomInt(2) === 0 ? { sizeBytesHint: part.length } : undefined);
      if (!written.ok) throw new Error(written.failure.message);
      blobs.push(written.blob);
    }
    const outcome = await engine.objects.putObject("crash", key, { blobs, sizeBytes, lastModifiedMs: Date.now(), meta: { id } });
    if (outcome.ok) process.stdout.write(`ack put ${key} ${id} ${sizeBytes}\n`);
  }
}

await Promise.all(Array.from({ length: writers }, (_, index) => writer(index)));
