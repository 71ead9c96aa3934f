// bench/cluster/raw-publish.mjs — the raw JetStream publish rate of a NATS cluster: 100 B messages
// published with acks, asynchronously (up to --window awaiting their acks at once), from --publishers
// connections into one R<replicas> file stream, for --seconds. Prints one JSON line:
//   {"tool":"raw-publish","messagesPerSec":…,"acked":…,"seconds":…,"errors":…}
// It is the floor bench/cluster/run.sh compares Tributary's records/s with (issue 20: ≥ 3×, by
// batching many records per JetStream message).
//   node bench/cluster/raw-publish.mjs --servers nats://…,nats://… [--replicas 3] [--seconds 10]
//     [--bytes 100] [--window 256] [--publishers 4] [--subjects 4]
import { parseArgs } from "node:util";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../package.json", import.meta.url));
const { connect, StorageType } = require("nats");

const { values: A } = parseArgs({
  options: {
    servers: { type: "string" },
    replicas: { type: "string", default: "3" },
    seconds: { type: "string", default: "10" },
    bytes: { type: "string", default: "100" },
    window: { type: "string", default: "256" },
    publishers: { type: "string", default: "4" },
    subjects: { type: "string", default: "4" },
    stream: { type: "string", default: "bench-raw" },
  },
});
const servers = A.servers.split(",");
const seconds = Number(A.seconds);
const payload = new Uint8Array(Number(A.bytes)).fill(0x61);
const windowMax = Number(A.window);
const subjects = Number(A.subjects);

const admin = await connect({ servers });
const jsm = await admin.jetstreamManager();
await jsm.streams.delete(A.stream).catch(() => {});
await jsm.streams.add({ name: A.stream, subjects: [`${A.stream}.>`], storage: StorageType.File, num_replicas: Number(A.replicas) });

let acked = 0;
let errors = 0;
const deadline = performance.now() + seconds * 1000;
async function publisher(index) {
  const nc = await connect({ servers });
  const js = nc.jetstream();
  let inFlight = 0;
  let sent = 0;
  await new Promise((resolve) => {
    const pump = () => {
      while (inFlight < windowMax && performance.now() < deadline) {
        inFlight++;
        js.publish(`${A.stream}.${(index + sent++) % subjects}`, payload).then(
          () => { acked++; inFlight--; pump(); },
          () => { errors++; inFlight--; pump(); },
        );
      }
      if (inFlight === 0) resolve();
    };
    pump();
  });
  await nc.close();
}
const started = performance.now();
await Promise.all(Array.from({ length: Number(A.publishers) }, (_, i) => publisher(i)));
const elapsedS = (performance.now() - started) / 1000;
await jsm.streams.delete(A.stream).catch(() => {});
await admin.close();
console.log(JSON.stringify({ tool: "raw-publish", messagesPerSec: Math.round(acked / elapsedS), acked, seconds: Math.round(elapsedS * 100) / 100, errors, bytes: payload.length, replicas: Number(A.replicas), window: windowMax, publishers: Number(A.publishers) }));
