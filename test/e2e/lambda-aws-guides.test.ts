/**
 * AWS's own Lambda + Kinesis guides, run as written against this server: the commands are the
 * guides' text (test/e2e/lambda-aws-guides-text.ts) run by bash with the AWS CLI v2, changed only
 * by `--endpoint-url` (Debian's CLI 2.9 ignores AWS_ENDPOINT_URL) and, where a guide names its own
 * account's stream or function ARN, by the ARN this server gave; the handlers are the guides' code,
 * zipped as they say. What a guide says you should see is checked: the invoke's answer and output
 * file, the mapping's fields, and the function's log lines (which AWS sends to CloudWatch Logs;
 * here GET /_tributary/lambda/logs and `tributary logs`).
 *
 * Steps left out, because they cannot work here: creating the execution role in the IAM console
 * (the role ARN is only stored here, so the guide's ARN is used as is), viewing the logs in the
 * CloudWatch console, and the clean-up in the consoles.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { systemClock, type Clock } from "../../src/util/clock.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { waitFor } from "../helpers/wait.js";
import { awsClientEnv, awsCliPath, requireAwsCliV2, run } from "./external-clients.js";
import * as guide from "./lambda-aws-guides-text.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const tsxLoader = import.meta.resolve("tsx");

/** One guide's terminal: a working directory, the CLI's environment, the server's endpoint. */
class Terminal {
  constructor(
    readonly server: TestServer,
    readonly work: string,
  ) {}

  write(name: string, text: string): void {
    writeFileSync(join(this.work, name), text);
  }

  read(name: string): string {
    return readFileSync(join(this.work, name), "utf8");
  }

  /** Runs a guide's command line as written, `--endpoint-url` appended; answers stdout. */
  async sh(command: string, options: { endpoint?: boolean; expectFailure?: boolean } = {}): Promise<{ stdout: string; stderr: string }> {
    const endpoint = options.endpoint === false ? "" : ` --endpoint-url ${this.server.url}`;
    // `aws` is Debian's CLI v2 whatever comes first on PATH.
    const script = `set -e\ncd '${this.work}'\naws() { '${awsCliPath}' "$@"; }\n${command}${endpoint}\n`;
    const result = await run("/bin/bash", ["-c", script], awsClientEnv(this.server.region), 120_000);
    if (options.expectFailure) assert.notEqual(result.code, 0, `expected a failure from:\n${command}\n${result.stdout}`);
    else assert.equal(result.code, 0, `failed (${result.code}):\n${command}\n${result.stderr}${result.stdout}`);
    return result;
  }

  async json<T = Record<string, unknown>>(command: string): Promise<T> {
    const { stdout } = await this.sh(command);
    return JSON.parse(stdout) as T;
  }

  /** The function's log messages, oldest first (what CloudWatch Logs would show). */
  async log(functionName: string): Promise<string[]> {
    const response = await fetch(`${this.server.url}/_tributary/lambda/logs?function=${functionName}`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { events: { message: string }[] };
    return body.events.map((event) => event.message);
  }

  async waitForLog(functionName: string, what: string, check: (lines: string[]) => boolean, timeoutMs = 30_000): Promise<string[]> {
    let lines: string[] = [];
    await waitFor(
      `${functionName}'s log: ${what}`,
      async () => check((lines = await this.log(functionName))),
      timeoutMs,
      100,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${lines.join("\n")}`);
    });
    return lines;
  }
}

function count(lines: readonly string[], pattern: RegExp): number {
  return lines.filter((line) => pattern.test(line)).length;
}

/** The request id of every START line, in order. */
function starts(lines: readonly string[]): string[] {
  return lines.flatMap((line) => /^START RequestId: (\S+)/.exec(line)?.[1] ?? []);
}

async function openTerminal(clock?: Clock): Promise<Terminal> {
  const server = await startTestServer(clock === undefined ? {} : { clock });
  return new Terminal(server, mkdtempSync(join(tmpdir(), "tributary-aws-guides-")));
}

async function closeTerminal(terminal: Terminal | undefined): Promise<void> {
  if (!terminal) return;
  await terminal.server.stop();
  rmSync(terminal.work, { recursive: true, force: true });
}

before(async () => {
  await requireAwsCliV2();
});

describe("Tutorial: Using AWS Lambda with Amazon Kinesis", { concurrency: false }, () => {
  let t: Terminal;
  let streamArn = "";
  let uuid = "";
  const withStream = (command: string) => command.replaceAll(guide.tutorialStreamArn, streamArn);

  before(async () => {
    t = await openTerminal();
  });
  after(() => closeTerminal(t));

  it("create the function: index.js zipped, create-function", async () => {
    t.write("index.js", guide.tutorialIndexJs);
    await t.sh(guide.tutorialZip, { endpoint: false });
    const created = await t.json(guide.tutorialCreateFunction);
    assert.equal(created.FunctionName, "ProcessKinesisRecords");
    assert.equal(created.Handler, "index.handler");
    assert.equal(created.Role, "arn:aws:iam::123456789012:role/lambda-kinesis-role");
    assert.equal(created.State, "Pending");
    assert.equal(created.PackageType, "Zip");
  });

  it("test the Lambda function: invoke with input.txt; the response is saved to outputfile.txt, the decoded payload logged", async () => {
    t.write("input.txt", guide.tutorialInputTxt);
    const answer = await t.json(guide.tutorialInvoke);
    assert.deepEqual(answer, { StatusCode: 200, ExecutedVersion: "$LATEST" });
    // A handler that neither returns a value nor calls back answers null, as on Lambda.
    assert.equal(t.read("outputfile.txt"), "null");
    const lines = await t.waitForLog("ProcessKinesisRecords", "the REPORT line", (log) => count(log, /^REPORT RequestId: /) === 1);
    // The init phase's console.log has no request id yet, as on Lambda ("undefined").
    assert.ok(lines.some((line) => /^\d{4}-\d\d-\d\dT[\d:.]+Z\tundefined\tINFO\tLoading function$/.test(line)), lines.join("\n"));
    const [requestId] = starts(lines);
    assert.ok(lines.some((line) => line.endsWith(`\t${requestId}\tINFO\tDecoded payload: Hello, this is a test.`)), lines.join("\n"));
  });

  it("create a Kinesis stream: create-stream, describe-stream gives the ARN", async () => {
    await t.sh(guide.tutorialCreateStream);
    const described = await t.json<{ StreamDescription: { StreamARN: string; StreamName: string; StreamStatus: string; Shards: unknown[]; RetentionPeriodHours: number } }>(
      guide.tutorialDescribeStream,
    );
    const description = described.StreamDescription;
    assert.equal(description.StreamName, "lambda-stream");
    assert.equal(description.StreamStatus, "ACTIVE");
    assert.equal(description.Shards.length, 1);
    assert.equal(description.RetentionPeriodHours, 24);
    streamArn = description.StreamARN;
    assert.equal(streamArn, `arn:aws:kinesis:${t.server.region}:${t.server.accountId}:stream/lambda-stream`);
  });

  it("add an event source: create-event-source-mapping answers the mapping, Creating; list-event-source-mappings shows it Enabled", async () => {
    const mapping = await t.json(withStream(guide.tutorialCreateMapping));
    uuid = String(mapping.UUID);
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(mapping.State, "Creating");
    assert.equal(mapping.StateTransitionReason, "User action");
    assert.equal(mapping.BatchSize, 100);
    assert.equal(mapping.StartingPosition, "LATEST");
    assert.equal(mapping.EventSourceArn, streamArn);
    assert.equal(mapping.FunctionArn, `arn:aws:lambda:${t.server.region}:${t.server.accountId}:function:ProcessKinesisRecords`);
    assert.equal(mapping.LastProcessingResult, "No records processed");
    assert.equal(mapping.MaximumBatchingWindowInSeconds, 0);
    assert.equal(mapping.ParallelizationFactor, 1);
    assert.equal(mapping.BisectBatchOnFunctionError, false);
    assert.equal(mapping.MaximumRetryAttempts, -1);
    assert.equal(mapping.MaximumRecordAgeInSeconds, -1);
    assert.deepEqual(mapping.DestinationConfig, { OnFailure: {} });
    assert.deepEqual(mapping.FunctionResponseTypes, []);
    // "In the response, you can verify the status value is enabled."
    let listed: { EventSourceMappings: Record<string, unknown>[] } = { EventSourceMappings: [] };
    await waitFor(
      "the mapping Enabled",
      async () => {
        listed = await t.json(withStream(guide.tutorialListMappings));
        return listed.EventSourceMappings[0]?.State === "Enabled";
      },
      20_000,
      200,
    );
    assert.equal(listed.EventSourceMappings.length, 1);
    assert.equal(listed.EventSourceMappings[0]!.UUID, uuid);
  });

  it("test the setup: put-record; the function decodes it and logs it; tributary logs prints it", async () => {
    const put = await t.json(guide.tutorialPutRecord);
    assert.equal(put.ShardId, "shardId-000000000000");
    const lines = await t.waitForLog("ProcessKinesisRecords", "the record's decoded payload", (log) => count(log, /\tINFO\tDecoded payload: Hello, this is a test\.$/) === 2);
    assert.equal(count(lines, /^START RequestId: /), 2, "one invocation for the invoke, one for the record");
    // The logs command a reader would use (CloudWatch's console in the guide).
    const printed = await run(process.execPath, ["--import", tsxLoader, join(repoRoot, "src/cli/main.ts"), "logs", "ProcessKinesisRecords", "--endpoint", t.server.url], awsClientEnv(t.server.region), 60_000);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(count(printed.stdout.split("\n"), /\tINFO\tDecoded payload: Hello, this is a test\.$/), 2, printed.stdout);
    assert.match(printed.stdout, /START RequestId: \S+ Version: \$LATEST/);
    const mapping = await t.json(`aws lambda get-event-source-mapping --uuid ${uuid}`);
    assert.equal(mapping.LastProcessingResult, "OK");
    assert.equal(mapping.State, "Enabled");
  });

  it("sample function code, Python 3 (ProcessKinesisRecords.py) and the current snippets (Node.js, Python) decode the same records", async () => {
    t.write("ProcessKinesisRecords.py", guide.samplePython);
    t.write("example.js", guide.snippetNode);
    t.write("main.py", guide.snippetPython);
    await t.sh("zip python-sample.zip ProcessKinesisRecords.py && zip node-snippet.zip example.js && zip python-snippet.zip main.py", { endpoint: false });
    const role = "--role arn:aws:iam::123456789012:role/lambda-kinesis-role";
    await t.sh(`aws lambda create-function --function-name kinesis-python-sample --zip-file fileb://python-sample.zip --handler ProcessKinesisRecords.lambda_handler --runtime python3.12 ${role}`);
    await t.sh(`aws lambda create-function --function-name kinesis-node-snippet --zip-file fileb://node-snippet.zip --handler example.handler --runtime nodejs20.x ${role}`);
    await t.sh(`aws lambda create-function --function-name kinesis-python-snippet --zip-file fileb://python-snippet.zip --handler main.lambda_handler --runtime python3.12 ${role}`);
    for (const name of ["kinesis-python-sample", "kinesis-node-snippet", "kinesis-python-snippet"]) {
      // The tutorial's test step, for each: input.txt through invoke.
      const answer = await t.json(`aws lambda invoke --function-name ${name} --cli-binary-format raw-in-base64-out --payload file://input.txt ${name}.out`);
      assert.equal(answer.StatusCode, 200);
      assert.equal(answer.FunctionError, undefined);
      assert.equal(t.read(`${name}.out`), "null");
      // And the stream from its start: the record the tutorial put.
      await t.sh(`aws lambda create-event-source-mapping --function-name ${name} --event-source-arn ${streamArn} --starting-position TRIM_HORIZON`);
    }
    const sample = await t.waitForLog("kinesis-python-sample", "two decoded payloads", (log) => count(log, /^Decoded payload: b'Hello, this is a test\.'$/) === 2);
    assert.equal(count(sample, /^START RequestId: /), 2);
    for (const name of ["kinesis-node-snippet", "kinesis-python-snippet"]) {
      const lines = await t.waitForLog(name, "two records' data", (log) => count(log, /Record Data: Hello, this is a test\.$/) === 2);
      assert.equal(count(lines, /Processed Kinesis Event - EventID: shardId-000000000006:49590338271490256608559692538361571095921575989136588898$/), 1, "input.txt's eventID");
      assert.equal(count(lines, /Processed Kinesis Event - EventID: shardId-000000000000:\d+$/), 1, "the stream record's eventID");
      assert.equal(count(lines, /Successfully processed 1 records\.$/), 2);
    }
  });
});

describe("The current tutorial's text: index.js from the snippets, nodejs18.x, in a project directory", { concurrency: false }, () => {
  let t: Terminal;

  before(async () => {
    t = await openTerminal();
  });
  after(() => closeTerminal(t));

  it("create, invoke with input.txt, stream, mapping, put-record: each record's event id and data logged", async () => {
    // Each command of the guide runs in a new shell here, so the directory is named in each.
    await t.sh(guide.currentTutorialSetup, { endpoint: false });
    const project = (command: string) => `cd kinesis-tutorial\n${command}`;
    t.write("kinesis-tutorial/index.js", guide.snippetNode);
    t.write("kinesis-tutorial/input.txt", guide.tutorialInputTxt);
    await t.sh(project(guide.tutorialZip), { endpoint: false });
    const created = await t.json(project(guide.currentTutorialCreateFunction));
    assert.equal(created.Runtime, "nodejs18.x");
    assert.deepEqual(await t.json(project(guide.tutorialInvoke)), { StatusCode: 200, ExecutedVersion: "$LATEST" });
    assert.equal(t.read("kinesis-tutorial/outputfile.txt"), "null");
    await t.sh(guide.tutorialCreateStream);
    const streamArn = `arn:aws:kinesis:${t.server.region}:${t.server.accountId}:stream/lambda-stream`;
    const mapping = await t.json(guide.currentTutorialCreateMapping.replace(guide.currentTutorialStreamArn, streamArn));
    await waitFor("the mapping Enabled", async () => (await t.json(`aws lambda get-event-source-mapping --uuid ${String(mapping.UUID)}`)).State === "Enabled", 20_000, 200);
    const put = await t.json<{ ShardId: string; SequenceNumber: string }>(guide.tutorialPutRecord);
    const lines = await t.waitForLog("ProcessKinesisRecords", "the record", (log) => count(log, /\tINFO\tRecord Data: Hello, this is a test\.$/) === 2);
    assert.equal(count(lines, new RegExp(`\\tINFO\\tProcessed Kinesis Event - EventID: ${put.ShardId}:${put.SequenceNumber}$`)), 1, lines.join("\n"));
    assert.equal(count(lines, /\tINFO\tSuccessfully processed 1 records\.$/), 2);
  });
});

describe("Reporting batch item failures (ReportBatchItemFailures)", { concurrency: false }, () => {
  let t: Terminal;
  let streamArn = "";

  before(async () => {
    t = await openTerminal();
    await t.sh("aws kinesis create-stream --stream-name batch-stream --shard-count 1");
    streamArn = (await t.json<{ StreamDescriptionSummary: { StreamARN: string } }>("aws kinesis describe-stream-summary --stream-name batch-stream")).StreamDescriptionSummary.StreamARN;
    t.write("index.js", guide.batchItemNode);
    t.write("handler.py", guide.batchItemPython);
    await t.sh("zip node.zip index.js && zip python.zip handler.py", { endpoint: false });
  });
  after(() => closeTerminal(t));

  it("the Node.js handler: an empty batchItemFailures is success, each record is handled once; a failed item is reported by its sequence number", async () => {
    await t.sh("aws lambda create-function --function-name batch-node --zip-file fileb://node.zip --handler index.handler --runtime nodejs20.x --role arn:aws:iam::123456789012:role/lambda-kinesis-role");
    const mapping = await t.json(
      `aws lambda create-event-source-mapping --function-name batch-node --event-source-arn ${streamArn} --starting-position TRIM_HORIZON --function-response-types ReportBatchItemFailures --batch-size 10`,
    );
    assert.deepEqual(mapping.FunctionResponseTypes, ["ReportBatchItemFailures"]);
    for (const n of [1, 2, 3]) await t.sh(`aws kinesis put-record --stream-name batch-stream --partition-key ${n} --data "record ${n}" --cli-binary-format raw-in-base64-out`);
    const lines = await t.waitForLog("batch-node", "three records", (log) => count(log, /Record Data: record \d$/) >= 3);
    // Give a wrongly retried batch time to show up twice.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const settled = await t.log("batch-node");
    for (const n of [1, 2, 3]) assert.equal(count(settled, new RegExp(`Record Data: record ${n}$`)), 1, settled.join("\n"));
    assert.ok(count(lines, /Successfully processed \d records\.$/) >= 1);
    const got = await t.json(`aws lambda get-event-source-mapping --uuid ${String(mapping.UUID)}`);
    assert.equal(got.LastProcessingResult, "OK");
    // A record the handler cannot read (no data): it answers that record's sequence number.
    const broken = JSON.parse(guide.tutorialInputTxt) as { Records: { kinesis: Record<string, unknown> }[] };
    delete broken.Records[0]!.kinesis.data;
    t.write("broken.json", JSON.stringify(broken));
    await t.json("aws lambda invoke --function-name batch-node --cli-binary-format raw-in-base64-out --payload file://broken.json broken.out");
    assert.deepEqual(JSON.parse(t.read("broken.out")), { batchItemFailures: [{ itemIdentifier: "49590338271490256608559692538361571095921575989136588898" }] });
  });

  it("the Python handler: answers an empty batchItemFailures; the mapping takes it as success", async () => {
    await t.sh("aws lambda create-function --function-name batch-python --zip-file fileb://python.zip --handler handler.handler --runtime python3.12 --role arn:aws:iam::123456789012:role/lambda-kinesis-role");
    t.write("input.txt", guide.tutorialInputTxt);
    await t.json("aws lambda invoke --function-name batch-python --cli-binary-format raw-in-base64-out --payload file://input.txt out.txt");
    assert.deepEqual(JSON.parse(t.read("out.txt")), { batchItemFailures: [] });
    const mapping = await t.json(
      `aws lambda create-event-source-mapping --function-name batch-python --event-source-arn ${streamArn} --starting-position TRIM_HORIZON --function-response-types ReportBatchItemFailures`,
    );
    await waitFor(
      "the batch processed",
      async () => (await t.json(`aws lambda get-event-source-mapping --uuid ${String(mapping.UUID)}`)).LastProcessingResult === "OK",
      30_000,
      300,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // One invocation for the invoke, one for the stream's three records, none repeated.
    assert.equal(count(await t.log("batch-python"), /^START RequestId: /), 2);
  });
});

describe("Time windows (tumbling windows): the guide's Python aggregation handler", { concurrency: false }, () => {
  let t: Terminal;
  // The guide's window is 120 s: the server's clock jumps past it (timers still run in real time).
  let offsetMs = 0;
  const clock: Clock = { ...systemClock, nowMs: () => systemClock.nowMs() + offsetMs };

  before(async () => {
    t = await openTerminal(clock);
  });
  after(() => closeTerminal(t));

  it("aggregates the window's records into state across invocations; the final invocation gets the totals", async () => {
    await t.sh("aws kinesis create-stream --stream-name lambda-stream --shard-count 1");
    t.write("lambda_function.py", guide.tumblingPython);
    await t.sh("zip function.zip lambda_function.py", { endpoint: false });
    const created = await t.json(
      "aws lambda create-function --function-name tumbling-window-example-function --zip-file fileb://function.zip --handler lambda_function.lambda_handler --runtime python3.12 --role arn:aws:iam::123456789012:role/lambda-kinesis-role",
    );
    const streamArn = `arn:aws:kinesis:${t.server.region}:${t.server.accountId}:stream/lambda-stream`;
    assert.equal(t.server.region, "us-east-1", "the guide's command names --region us-east-1");
    const mapping = await t.json(guide.tumblingCreateMapping.replace(guide.tumblingStreamArn, streamArn).replace(guide.tumblingFunctionArn, String(created.FunctionArn)));
    assert.equal(mapping.TumblingWindowInSeconds, 120);
    assert.equal(mapping.StartingPosition, "TRIM_HORIZON");
    for (const key of ["1", "2", "1"]) await t.sh(`aws kinesis put-record --stream-name lambda-stream --partition-key ${key} --data "{}" --cli-binary-format raw-in-base64-out`);
    await t.waitForLog("tumbling-window-example-function", "the three records aggregated", (log) => log.some((line) => line === "Returning state:  {'1': 2, '2': 1}"));
    assert.equal(count(await t.log("tumbling-window-example-function"), /^Destination invoke$/), 0, "the window is still open");
    // Past the window's end, a new record: the window closes with its final invocation first.
    offsetMs += 120_000;
    await t.sh(`aws kinesis put-record --stream-name lambda-stream --partition-key 3 --data "{}" --cli-binary-format raw-in-base64-out`);
    const lines = await t.waitForLog("tumbling-window-example-function", "the final invocation and the next window", (log) => log.includes("Returning state:  {'3': 1}"));
    const final = lines.indexOf("Destination invoke");
    assert.ok(final > 0, lines.join("\n"));
    assert.equal(count(lines, /^Destination invoke$/), 1);
    assert.equal(lines[final - 1], "Incoming state:  {'1': 2, '2': 1}");
    assert.ok(lines.slice(final).includes("Returning state:  {'1': 2, '2': 1}"));
    assert.equal(count(lines, /^Window terminated early$/), 0);
    const incoming = lines.find((line) => line.startsWith("Incoming event: ") && line.includes("'isFinalInvokeForWindow': True"));
    assert.ok(incoming?.includes("'Records': []"), incoming);
    assert.ok(incoming?.includes(`'eventSourceARN': '${streamArn}'`), incoming);
  });
});

describe("Lambda event filtering: the guide's Kinesis filter criteria", { concurrency: false }, () => {
  let t: Terminal;
  let streamArn = "";

  before(async () => {
    t = await openTerminal();
    await t.sh("aws kinesis create-stream --stream-name lambda-stream --shard-count 1");
    streamArn = `arn:aws:kinesis:${t.server.region}:${t.server.accountId}:stream/lambda-stream`;
    t.write("index.js", guide.tutorialIndexJs);
    await t.sh("zip function.zip index.js", { endpoint: false });
    for (const name of ["temperature", "location"]) {
      await t.sh(`aws lambda create-function --function-name ${name} --zip-file fileb://function.zip --handler index.handler --runtime nodejs20.x --role arn:aws:iam::123456789012:role/lambda-kinesis-role`);
    }
  });
  after(() => closeTerminal(t));

  it("the Temperature criteria as printed: its Pattern is not JSON, so Lambda refuses it", async () => {
    t.write("printed.json", guide.temperatureCriteriaAsPrinted);
    const { stderr } = await t.sh(`aws lambda create-event-source-mapping --function-name temperature --event-source-arn ${streamArn} --starting-position TRIM_HORIZON --filter-criteria file://printed.json`, { expectFailure: true });
    assert.match(stderr, /An error occurred \(InvalidParameterValueException\) when calling the CreateEventSourceMapping operation: Invalid filter pattern definition\./);
  });

  it("numeric range (50 < Temperature <= 60) and equals on partitionKey and Location: only matching records reach the function", async () => {
    t.write("temperature.json", JSON.stringify({ Filters: [{ Pattern: guide.temperaturePattern }] }));
    t.write("location.json", guide.locationCriteria);
    const temperature = await t.json(`aws lambda create-event-source-mapping --function-name temperature --event-source-arn ${streamArn} --starting-position TRIM_HORIZON --filter-criteria file://temperature.json`);
    assert.deepEqual(temperature.FilterCriteria, { Filters: [{ Pattern: guide.temperaturePattern }] });
    await t.sh(`aws lambda create-event-source-mapping --function-name location --event-source-arn ${streamArn} --starting-position TRIM_HORIZON --filter-criteria file://location.json`);
    const records: [string, unknown][] = [
      ["1", { Location: "Los Angeles", Temperature: 50 }],
      ["1", { Location: "Seattle", Temperature: 55 }],
      ["2", { Location: "Los Angeles", Temperature: 60 }],
      ["1", { Location: "Los Angeles", Temperature: 61 }],
      ["1", "not JSON at all"],
    ];
    for (const [key, data] of records) {
      t.write("data.txt", typeof data === "string" ? data : JSON.stringify(data));
      await t.sh(`aws kinesis put-record --stream-name lambda-stream --partition-key ${key} --data file://data.txt --cli-binary-format raw-in-base64-out`);
    }
    const decoded = (lines: string[]) => lines.flatMap((line) => /\tINFO\tDecoded payload: (.*)$/.exec(line)?.[1] ?? []);
    await t.waitForLog("temperature", "two matching records", (log) => decoded(log).length >= 2);
    await t.waitForLog("location", "two matching records", (log) => decoded(log).length >= 2);
    // The last record is behind every matching one: once both mappings are past it, nothing else comes.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.deepEqual(decoded(await t.log("temperature")), ['{"Location":"Seattle","Temperature":55}', '{"Location":"Los Angeles","Temperature":60}']);
    assert.deepEqual(decoded(await t.log("location")), ['{"Location":"Los Angeles","Temperature":50}', '{"Location":"Los Angeles","Temperature":61}']);
  });
});
