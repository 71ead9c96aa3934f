// bench/lambda/invoke-bench.mjs — warm Invoke latency and cold starts of a trivial Node function
// (issue 16: warm p50 ≤ 1 ms on loopback through the whole HTTP API, cold start ≤ 150 ms), against:
//   in-process   the same handler called directly in this process (JSON.parse of the event, the call,
//                JSON.stringify of the result): what any local runner costs at least
//   http-echo    a plain node:http echo server in another process, one keep-alive round trip with
//                the same payload: the transport floor of one loopback request on this machine
// Phases against a running server (--endpoint):
//   raw          hand-built unsigned POST /2015-03-31/functions/<name>/invocations on one keep-alive
//                socket (what the server and the sandbox cost; the server runs --auth none)
//   sdk          @aws-sdk/client-lambda InvokeCommand (what applications see: adds the SDK's ~0.5 ms)
//   cold         UpdateFunctionConfiguration (a new Environment forces a new sandbox), then the first
//                Invoke, timed; --cold-tries of them; Init Duration read from the REPORT line (Tail)
// Prints one JSON line: p50/p99 per phase (ms), the machine, the server's pid when given.
//
//   node bench/lambda/invoke-bench.mjs --endpoint http://127.0.0.1:4567 [--count 5000] [--cold-tries 25]
import { spawn } from "node:child_process";
import http from "node:http";
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { zipSync } from "fflate";
import { CreateFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";

const { values: options } = parseArgs({
  options: {
    endpoint: { type: "string" },
    count: { type: "string", default: "5000" },
    warmup: { type: "string", default: "500" },
    "cold-tries": { type: "string", default: "25" },
    "server-pid": { type: "string" },
  },
});
if (!options.endpoint) throw new Error("--endpoint is required");
const count = Number(options.count);
const warmup = Number(options.warmup);
const coldTries = Number(options["cold-tries"]);
const endpoint = new URL(options.endpoint);

const handlerSource = "export const handler = async (event) => ({ ok: true, n: event.n });";
const payload = Buffer.from('{"n":1}');

function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: round(at(0.5)), p99: round(at(0.99)), min: round(sorted[0]), count: sorted.length };
}
const round = (ms) => Math.round(ms * 1000) / 1000;

async function timed(times, call) {
  for (let index = 0; index < warmup; index++) await call();
  const samples = [];
  for (let index = 0; index < times; index++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return percentiles(samples);
}

/** One keep-alive socket; resolves with the status and body. */
function poster(agent, host, port, path) {
  return (body) =>
    new Promise((resolve, reject) => {
      const request = http.request({ agent, host, port, method: "POST", path, headers: { "Content-Type": "application/json", "Content-Length": body.length } }, (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode, body: Buffer.concat(chunks) }));
        response.on("error", reject);
      });
      request.on("error", reject);
      request.end(body);
    });
}

async function inProcessBaseline() {
  const { handler } = await import(`data:text/javascript,${encodeURIComponent(handlerSource)}`);
  return timed(count, async () => JSON.stringify(await handler(JSON.parse(payload.toString()))));
}

async function echoFloor() {
  const source = "require('http').createServer((q, s) => { const c = []; q.on('data', (d) => c.push(d)); q.on('end', () => s.end(Buffer.concat(c))); }).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });";
  const child = spawn(process.execPath, ["-e", source], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve) => child.stdout.once("data", (data) => resolve(Number(String(data).trim()))));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = poster(agent, "127.0.0.1", port, "/");
  try {
    return await timed(count, () => post(payload));
  } finally {
    agent.destroy();
    child.kill();
  }
}

const client = new LambdaClient({ endpoint: endpoint.href, region: "us-east-1", credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" } });

async function waitUpdated(name) {
  for (;;) {
    const configuration = await client.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    if (configuration.State === "Active" && (configuration.LastUpdateStatus ?? "Successful") === "Successful") return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function main() {
  const name = `bench-${process.pid}`;
  const zip = zipSync({ "index.mjs": new TextEncoder().encode(handlerSource) });
  await client.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/bench", Code: { ZipFile: zip }, MemorySize: 128 }));
  await waitUpdated(name);

  const result = { tool: "lambda-invoke-bench", machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version }, count, serverPid: options["server-pid"] ? Number(options["server-pid"]) : undefined };
  result.inProcess = await inProcessBaseline();
  result.httpEcho = await echoFloor();

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const invokeRaw = poster(agent, endpoint.hostname, Number(endpoint.port), `/2015-03-31/functions/${name}/invocations`);
  const first = await invokeRaw(payload);
  if (first.status !== 200 || first.body.toString() !== '{"ok":true,"n":1}') throw new Error(`raw Invoke answered ${first.status} ${first.body}`);
  result.raw = await timed(count, () => invokeRaw(payload));
  agent.destroy();

  result.sdk = await timed(Math.min(count, 3000), () => client.send(new InvokeCommand({ FunctionName: name, Payload: payload })));

  const coldSamples = [];
  const initDurations = [];
  for (let attempt = 0; attempt < coldTries; attempt++) {
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { ATTEMPT: String(attempt) } } }));
    await waitUpdated(name);
    const started = performance.now();
    const answer = await client.send(new InvokeCommand({ FunctionName: name, Payload: payload, LogType: "Tail" }));
    coldSamples.push(performance.now() - started);
    const tail = Buffer.from(answer.LogResult ?? "", "base64").toString();
    const init = /Init Duration: ([\d.]+) ms/.exec(tail);
    if (init === null) throw new Error(`cold Invoke ${attempt} had no Init Duration: ${tail}`);
    initDurations.push(Number(init[1]));
  }
  result.cold = percentiles(coldSamples);
  result.initDuration = percentiles(initDurations);
  result.targets = { warmP50Ms: 1, coldStartMs: 150, warmRawP50Met: result.raw.p50 <= 1, coldP50Met: result.cold.p50 <= 150 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  client.destroy();
}

await main();
