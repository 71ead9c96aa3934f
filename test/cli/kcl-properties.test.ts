/**
 * The MultiLangDaemon's properties file: the Java .properties grammar, the mapping of the KCL
 * multilang keys to the consumer's options, and `tributary kcl` rejecting a bad file or command line.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  kclSettings, missingApplicationNameMessage, missingExecutableMessage, missingStreamMessage, parseProperties,
} from "../../src/cli/kcl/properties.js";
import { runCli } from "./cli-process.js";

function parse(text: string): Record<string, string> {
  const outcome = parseProperties(text);
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.message);
  return Object.fromEntries(outcome.properties);
}

function settings(text: string) {
  const parsed = parseProperties(text);
  assert.ok(parsed.ok);
  return kclSettings(parsed.properties);
}

const required = "executableName = node app.js\napplicationName = app\nstreamName = orders\n";

describe("kcl > properties > grammar", () => {
  it("reads key = value, key: value and key value, with blanks around the separator", () => {
    assert.deepEqual(parse("a = 1\nb: 2\nc 3\nd=4\n  e\t=\t5\nf :6\ng   =   =7\n"), { a: "1", b: "2", c: "3", d: "4", e: "5", f: "6", g: "=7" });
  });

  it("skips # and ! comments and blank lines, and keeps trailing blanks of a value", () => {
    assert.deepEqual(parse("# a comment\n   ! another\n\n \t \nkey = value  \n"), { key: "value  " });
  });

  it("joins continued lines, dropping the continuation's leading blanks, with \\n, \\r and \\r\\n endings", () => {
    assert.deepEqual(parse("list = a, \\\r\n    b, \\\r       c\nnext = 1"), { list: "a, b, c", next: "1" });
  });

  it("does not continue a line ending in an even number of backslashes, nor a comment line", () => {
    assert.deepEqual(parse("path = C:\\\\\nnext = 1\n# comment \\\nafter = 2"), { path: "C:\\", next: "1", after: "2" });
  });

  it("resolves \\t \\n \\r \\f, \\uXXXX and escaped separators in keys and values", () => {
    assert.deepEqual(parse("a\\ b\\=c\\:d = x\\ty\\nz\\u00e9\\u4E2D\\q\\\\"), { "a b=c:d": "x\ty\nzé中q\\" });
  });

  it("takes a key alone as an empty value, and the last of duplicate keys", () => {
    assert.deepEqual(parse("alone\nk = 1\nk = 2"), { alone: "", k: "2" });
  });

  it("rejects a malformed \\uXXXX with its line", () => {
    assert.deepEqual(parseProperties("ok = 1\nbad = \\u12G4"), { ok: false, message: "line 2: malformed \\uxxxx encoding" });
  });
});

describe("kcl > properties > mapping", () => {
  it("maps the KCL multilang keys to the consumer's options", () => {
    const outcome = settings(
      "executableName = python3  app.py --flag\napplicationName = orders-app\nstreamName = orders\ntableName = leases\n" +
        "workerId = w-1\ninitialPositionInStream = trim_horizon\nregionName = eu-west-1\n" +
        "kinesisEndpoint = http://127.0.0.1:4567\ndynamoDBEndpoint = https://ddb.example\nfailoverTimeMillis = 20000\n" +
        "shardSyncIntervalMillis = 30000\nmaxLeasesForWorker = 4\nmaxRecords = 500\nidleTimeBetweenReadsInMillis = 250\n" +
        "timeoutInSeconds = 60\nshutdownGraceMillis = 5000\n",
    );
    assert.deepEqual(outcome, {
      ok: true,
      settings: {
        executableName: "python3  app.py --flag",
        command: ["python3", "app.py", "--flag"],
        applicationName: "orders-app",
        streamName: "orders",
        leaseTableName: "leases",
        workerId: "w-1",
        initialPosition: { type: "TRIM_HORIZON" },
        regionName: "eu-west-1",
        kinesisEndpoint: "http://127.0.0.1:4567",
        dynamoDBEndpoint: "https://ddb.example",
        failoverTimeMs: 20000,
        shardSyncIntervalMs: 30000,
        maxLeasesForWorker: 4,
        retrieval: { mode: "polling", maxRecords: 500, idleTimeBetweenReadsMs: 250 },
        responseTimeoutMs: 60000,
        shutdownGraceMs: 5000,
      },
      ignoredKeys: [],
      unknownKeys: [],
    });
  });

  it("lets streamArn take precedence over streamName, and takes the region from it", () => {
    const outcome = settings(required + "streamArn = arn:aws:kinesis:eu-central-1:123456789012:stream/payments\n");
    assert.ok(outcome.ok);
    assert.equal(outcome.settings.streamArn, "arn:aws:kinesis:eu-central-1:123456789012:stream/payments");
    assert.equal(outcome.settings.streamName, undefined);
    assert.equal(outcome.settings.regionName, "eu-central-1");
  });

  it("reads initialPositionInStreamExtended as AT_TIMESTAMP in seconds since the epoch", () => {
    for (const extra of ["initialPositionInStreamExtended = 1636609142\n", "initialPositionInStream = AT_TIMESTAMP\ninitialPositionInStreamExtended = 1636609142\n"]) {
      const outcome = settings(required + extra);
      assert.ok(outcome.ok);
      assert.deepEqual(outcome.settings.initialPosition, { type: "AT_TIMESTAMP", timestamp: new Date(1_636_609_142_000) });
    }
  });

  it("chooses retrieval as KCL 2.x multilang: fan-out by default, polling when a polling key is set", () => {
    const mode = (extra: string) => {
      const outcome = settings(required + extra);
      assert.ok(outcome.ok);
      return outcome.settings.retrieval;
    };
    assert.deepEqual(mode(""), { mode: "fanout" });
    assert.deepEqual(mode("maxRecords = 100\n"), { mode: "polling", maxRecords: 100 });
    assert.deepEqual(mode("retrievalMode = polling\n"), { mode: "polling" });
    assert.deepEqual(mode("retrievalMode = FANOUT\nmaxRecords = 100\nconsumerName = c1\n"), { mode: "fanout", consumerName: "c1" });
    assert.deepEqual(mode("retrievalMode = DEFAULT\nfanoutConfig.consumerArn = arn:x\n"), { mode: "fanout", consumerARN: "arn:x" });
  });

  it("accepts the Java daemon's own keys and reports unknown ones", () => {
    const outcome = settings(required + "AWSCredentialsProvider = DefaultCredentialsProvider\nawsCredentialsProviderDynamoDB = X\nprocessingLanguage = python/3.8\nmaxActiveThreads = -1\nkinesisClient.maxConcurrency = 4\nstreamNmae = typo\n");
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.ignoredKeys, ["AWSCredentialsProvider", "awsCredentialsProviderDynamoDB", "processingLanguage", "maxActiveThreads", "kinesisClient.maxConcurrency"]);
    assert.deepEqual(outcome.unknownKeys, ["streamNmae"]);
  });

  it("rejects missing required keys with the daemon's messages", () => {
    assert.deepEqual(settings("applicationName = a\nstreamName = s\n"), { ok: false, message: missingExecutableMessage });
    assert.deepEqual(settings("executableName = x\nstreamName = s\n"), { ok: false, message: missingApplicationNameMessage });
    assert.deepEqual(settings("executableName = x\napplicationName = a\nstreamName =   \n"), { ok: false, message: missingStreamMessage });
    assert.equal(missingExecutableMessage, "Must provide an executable name in the properties file, e.g. executableName = sampleapp.py");
    assert.equal(missingStreamMessage, "Stream name or Stream Arn is required. Stream Arn takes precedence if both are passed in.");
  });

  it("rejects bad values", () => {
    const problem = (extra: string) => {
      const outcome = settings(required + extra);
      assert.ok(!outcome.ok);
      return outcome.message;
    };
    assert.equal(problem("retrievalMode = push\n"), "Unknown retrieval type 'push'. Available retrieval types: (FANOUT, POLLING, DEFAULT)");
    assert.equal(problem("failoverTimeMillis = 10s\n"), "invalid value '10s' for failoverTimeMillis: expected an integer from 1 to 86400000");
    assert.equal(problem("initialPositionInStream = EARLIEST\n"), "invalid value 'EARLIEST' for initialPositionInStream: expected TRIM_HORIZON, LATEST or AT_TIMESTAMP");
    assert.equal(problem("initialPositionInStream = AT_TIMESTAMP\n"), "initialPositionInStream = AT_TIMESTAMP needs initialPositionInStreamExtended (the timestamp, in seconds since the epoch)");
    assert.equal(problem("initialPositionInStream = LATEST\ninitialPositionInStreamExtended = 5\n"), "initialPositionInStream = LATEST and initialPositionInStreamExtended contradict each other: give one");
    assert.equal(problem("kinesisEndpoint = localhost:4567\n"), "invalid value 'localhost:4567' for kinesisEndpoint: expected an http or https URL");
    assert.equal(problem("streamArn = arn:aws:sqs:us-east-1:123456789012:queue\n"), "invalid value 'arn:aws:sqs:us-east-1:123456789012:queue' for streamArn: expected arn:aws:kinesis:<region>:<account id>:stream/<stream name>");
  });
});

describe("kcl > command line", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tributary-kcl-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints its help and exits 0", async () => {
    const result = await runCli(["kcl", "--help"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: tributary kcl --properties <file> \[options\]$/m);
    assert.match(result.stdout, /--endpoint <value> +endpoint URL for both Kinesis and DynamoDB.*env TRIBUTARY_ENDPOINT\)$/m);
  });

  it("requires --properties", async () => {
    const result = await runCli(["kcl"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^tributary: --properties is required$/m);
  });

  it("stops with the file and the daemon's message when a required key is missing", async () => {
    const path = join(dir, "no-app.properties");
    writeFileSync(path, "executableName = node app.js\nstreamName = s\n");
    const result = await runCli(["kcl", "--properties", path]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `tributary: ${path}: Application name is required\n`);
  });

  it("stops when the properties file cannot be read", async () => {
    const path = join(dir, "missing.properties");
    const result = await runCli(["kcl", "--properties", path]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`^tributary: cannot read the properties file ${path}: ENOENT`));
  });

  it("rejects an --endpoint that is not a URL", async () => {
    const result = await runCli(["kcl", "--properties", "x.properties", "--endpoint", "nope"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^tributary: --endpoint must be an http or https URL, got nope$/m);
  });
});
