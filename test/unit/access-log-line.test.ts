/**
 * The access line the json format's logger writes from text built by src/server/access-log.ts
 * (preformattedInfo, src/util/logger.ts) is the line pino writes for the same entry as an object:
 * the same fields, order, escaping and numbers; the level is honoured when it changes.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { Writable } from "node:stream";
import { AccessLog } from "../../src/server/access-log.js";
import { createLogger, preformattedInfo, type Logger } from "../../src/util/logger.js";

type Response = Pick<ServerResponse, "headersSent" | "statusCode" | "writableFinished">;

/** A json logger whose lines land in `lines`, and the same logger's child (no bindings): pino serializes the object there. */
function loggers(): { logger: Logger; child: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger("info", "json", { write: (line: string) => void lines.push(line) });
  return { logger, child: logger.child({}), lines };
}

/** The record's line written both ways, `time` and `latencyMs` set aside (each call reads the clocks). */
function bothWays(fill: (record: ReturnType<AccessLog["begin"]>) => void, response: Response, method = "POST", h2 = false): [string, string] {
  const { logger, child, lines } = loggers();
  const written: string[] = [];
  for (const through of [logger, child]) {
    const log = new AccessLog(through);
    const record = log.begin({ method } as never, (h2 ? { ...response, stream: {} } : response) as never);
    fill(record);
    log.end(record, response as never);
    written.push(lines.pop()!.replace(/"time":\d+/, '"time":0').replace(/"latencyMs":[0-9.e-]+/, '"latencyMs":0'));
  }
  return [written[0]!, written[1]!];
}

describe("server > access log > line", () => {
  it("the json logger writes lines built by the caller; a child (bindings) and pretty do not", () => {
    const { logger, child } = loggers();
    assert.equal(typeof preformattedInfo(logger), "function");
    assert.equal(preformattedInfo(child), undefined);
    assert.equal(preformattedInfo(createLogger("info", "pretty", new Writable({ write: (_chunk, _encoding, done) => done() }))), undefined);
  });

  it("is the line pino writes for the same entry, every field", () => {
    const [built, pinos] = bothWays(
      (record) => {
        record.requestId = "0ad651dd-5261-4c99-b821-42229058b36b";
        record.service = "kinesis";
        record.action = "PutRecords";
        record.resource = "orders";
        record.errorType = "ResourceNotFoundException";
        record.bytesIn = 86314;
        record.bytesOut = 110;
      },
      { headersSent: true, statusCode: 400, writableFinished: false },
    );
    assert.equal(built, pinos);
    assert.match(built, /^\{"level":30,"time":0,"access":\{"requestId":"0ad6.*"incomplete":true\},"msg":"request"\}\n$/);
  });

  it("escapes what the request names as JSON does, and cuts a long resource as the object does", () => {
    for (const resource of ['or"d\\ers', "tab\there\u0001", "ströme-流", "\ud800lone", "x".repeat(3000), ""]) {
      const [built, pinos] = bothWays(
        (record) => {
          record.service = "s3";
          record.action = 'Get"Object';
          record.resource = resource;
        },
        { headersSent: true, statusCode: 200, writableFinished: true },
        "GE\\T",
      );
      assert.equal(built, pinos, resource.slice(0, 20));
      JSON.parse(built);
    }
  });

  it("leaves out what is unknown: no id, service, status or bytes out (the client left before an answer), over HTTP/2", () => {
    const [built, pinos] = bothWays(() => {}, { headersSent: false, statusCode: 200, writableFinished: false }, "GET", true);
    assert.equal(built, pinos);
    assert.equal(built, '{"level":30,"time":0,"access":{"method":"GET","latencyMs":0,"bytesIn":0,"protocol":"h2","incomplete":true},"msg":"request"}\n');
  });

  it("writes nothing once the logger's level is raised past info", () => {
    const { logger, lines } = loggers();
    (logger as unknown as { level: string }).level = "warn";
    const log = new AccessLog(logger);
    const response = { headersSent: true, statusCode: 200, writableFinished: true };
    log.end(log.begin({ method: "POST" } as never, response as never), response as never);
    assert.deepEqual(lines, []);
  });
});
