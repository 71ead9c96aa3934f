/**
 * The scalar functions inside application code, through the engine (parse → plan → run): the
 * developer guide's string, date-time and log-parsing examples, with the rows they produce.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compileError, start, ts } from "../engine/helpers.js";

describe("developer guide examples, run by the engine", () => {
  it("REGEX_LOG_PARSE (Parsing Log Strings Based on Regular Expressions)", () => {
    const app = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (logentry VARCHAR(200), match1 VARCHAR(100), match2 VARCHAR(100));
       CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM T.LOGENTRY, T.REC.COLUMN1, T.REC.COLUMN2
         FROM (SELECT STREAM LOGENTRY, REGEX_LOG_PARSE(LOGENTRY, '(\\w.+) (\\d.+) (\\w.+) (\\w.+)') AS REC
               FROM SOURCE_SQL_STREAM_001) AS T;`,
      { inputs: { SOURCE_SQL_STREAM_001: "LOGENTRY VARCHAR(200)" } },
    );
    const line = '203.0.113.24 - - [25/Mar/2018:15:25:37 -0700] "GET /index.php HTTP/1.1" 200 125 "-" "Mozilla/5.0 [en] Gecko/20100101 Firefox/52.0"';
    app.push("SOURCE_SQL_STREAM_001", [["2024-01-01 00:00:01.000", line]]);
    assert.deepEqual(app.rows("DESTINATION_SQL_STREAM"), [
      ["2024-01-01 00:00:01.000", line, '203.0.113.24 - - [25/Mar/2018:15:25:37 -0700] "GET /index.php HTTP/1.1" 200', '125 "-" "Mozilla/5.0 [en]'],
    ]);
  });

  it("VARIABLE_COLUMN_LOG_PARSE (Split Strings into Multiple Fields)", () => {
    const app = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM"("column_A" VARCHAR(16), "column_B" VARCHAR(16), "column_C" VARCHAR(16),
                  "COL_1" VARCHAR(16), "COL_2" VARCHAR(16), "COL_3" VARCHAR(16));
       CREATE OR REPLACE PUMP "SECOND_STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM t."Col_A", t."Col_B", t."Col_C", t.r."COL_1", t.r."COL_2", t.r."COL_3"
         FROM (SELECT STREAM "Col_A", "Col_B", "Col_C",
                 VARIABLE_COLUMN_LOG_PARSE("Col_E_Unstructured",
                   'COL_1 TYPE VARCHAR(16), COL_2 TYPE VARCHAR(16), COL_3 TYPE VARCHAR(16)', ',') AS r
               FROM "SOURCE_SQL_STREAM_001") as t;`,
      { inputs: { SOURCE_SQL_STREAM_001: '"Col_A" VARCHAR(16), "Col_B" VARCHAR(16), "Col_C" VARCHAR(16), "Col_E_Unstructured" VARCHAR(64)' } },
    );
    app.push("SOURCE_SQL_STREAM_001", [["2024-01-01 00:00:01.000", "a", "b", "c", "x,y,z"]]);
    assert.deepEqual(app.rows("DESTINATION_SQL_STREAM"), [["2024-01-01 00:00:01.000", "a", "b", "c", "x", "y", "z"]]);
  });

  it("W3C_LOG_PARSE (Parsing Web Logs)", () => {
    const app = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (column1 VARCHAR(16), column2 VARCHAR(16), column3 VARCHAR(16),
         column4 VARCHAR(30), column5 VARCHAR(40), column6 VARCHAR(16), column7 VARCHAR(16));
       CREATE OR REPLACE PUMP "myPUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM l.r.COLUMN1, l.r.COLUMN2, l.r.COLUMN3, l.r.COLUMN4, l.r.COLUMN5, l.r.COLUMN6, l.r.COLUMN7
         FROM (SELECT STREAM W3C_LOG_PARSE("log", 'COMMON') FROM "SOURCE_SQL_STREAM_001") AS l(r);`,
      { inputs: { SOURCE_SQL_STREAM_001: '"log" VARCHAR(256)' } },
    );
    app.push("SOURCE_SQL_STREAM_001", [["2024-01-01 00:00:01.000", '192.168.254.30 - John [24/May/2004:22:01:02 -0700] "GET /icons/apache_pb.gif HTTP/1.1" 304 0']]);
    assert.deepEqual(app.rows("DESTINATION_SQL_STREAM"), [
      ["2024-01-01 00:00:01.000", "192.168.254.30", "-", "John", "[24/May/2004:22:01:02 -0700]", "GET /icons/apache_pb.gif HTTP/1.1", "304", "0"],
    ]);
  });

  it("SUBSTRING and POSITION, REGEX_REPLACE (Transforming String Values)", () => {
    const app = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("company" VARCHAR(32), "referrer" VARCHAR(32));
       CREATE OR REPLACE PUMP "myPUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM SUBSTRING("REFERRER", 12, (POSITION('.com' IN "REFERRER") - POSITION('www.' IN "REFERRER") - 4)),
                       REGEX_REPLACE("REFERRER", 'http://', 'https://', 1, 0)
         FROM "SOURCE_SQL_STREAM_001";`,
      { inputs: { SOURCE_SQL_STREAM_001: "REFERRER VARCHAR(32)" } },
    );
    app.push("SOURCE_SQL_STREAM_001", [["2024-01-01 00:00:01.000", "http://www.amazon.com"]]);
    assert.deepEqual(app.rows("DESTINATION_SQL_STREAM"), [["2024-01-01 00:00:01.000", "amazon", "https://www.amazon.com"]]);
  });

  it("SUBSTRING past the end: '' written with FROM, null written with commas (the reference's examples)", () => {
    const app = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (by_keyword VARCHAR(16), by_comma VARCHAR(16), inside VARCHAR(16));
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM SUBSTRING(s FROM 17 FOR 4), SUBSTRING(s, 10, 4), SUBSTRING(s, 7, 4) FROM "SOURCE_SQL_STREAM_001";`,
      { inputs: { SOURCE_SQL_STREAM_001: "S VARCHAR(16)" } },
    );
    app.push("SOURCE_SQL_STREAM_001", [["2024-01-01 00:00:01.000", "123456789"]]);
    assert.deepEqual(app.rows("DESTINATION_SQL_STREAM"), [["2024-01-01 00:00:01.000", "", null, "789"]]);
  });

  it("Transforming DateTime Values: UNIX_TIMESTAMP, TIMESTAMP_TO_CHAR, EXTRACT", () => {
    const app = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), event_time TIMESTAMP, five_minutes_before TIMESTAMP,
          event_unix_timestamp BIGINT, event_timestamp_as_char VARCHAR(50), event_second INTEGER);
       CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM TICKER, EVENT_TIME, EVENT_TIME - INTERVAL '5' MINUTE, UNIX_TIMESTAMP(EVENT_TIME),
                TIMESTAMP_TO_CHAR('yyyy-MM-dd hh:mm:ss', EVENT_TIME), EXTRACT(SECOND FROM EVENT_TIME)
         FROM "SOURCE_SQL_STREAM_001";`,
      { inputs: { SOURCE_SQL_STREAM_001: "EVENT_TIME TIMESTAMP, TICKER VARCHAR(4)" } },
    );
    app.push("SOURCE_SQL_STREAM_001", [["2024-01-01 00:00:01.000", ts("2018-05-09 12:50:41.337"), "AAPL"]]);
    const [row] = app.rows("DESTINATION_SQL_STREAM");
    assert.deepEqual(row, ["2024-01-01 00:00:01.000", "AAPL", ts("2018-05-09 12:50:41.337"), ts("2018-05-09 12:45:41.337"), 1525870241337, "2018-05-09 12:50:41", 41]);
  });

  it("CHAR_TO_TIMESTAMP for an event-time column; a bad string goes to error_stream", () => {
    const app = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (at TIMESTAMP, minute_at TIMESTAMP);
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM CHAR_TO_TIMESTAMP('dd/MMM/yyyy:HH:mm:ss Z', t), FLOOR(CHAR_TO_TIMESTAMP('dd/MMM/yyyy:HH:mm:ss Z', t) TO MINUTE)
         FROM "SOURCE_SQL_STREAM_001";`,
      { inputs: { SOURCE_SQL_STREAM_001: "T VARCHAR(40)" } },
    );
    app.push("SOURCE_SQL_STREAM_001", [
      ["2024-01-01 00:00:01.000", "24/May/2004:22:01:02 -0700"],
      ["2024-01-01 00:00:02.000", "yesterday"],
    ]);
    assert.deepEqual(app.rows("DESTINATION_SQL_STREAM"), [["2024-01-01 00:00:01.000", ts("2004-05-25 05:01:02"), ts("2004-05-25 05:01:00")]]);
    assert.equal(app.rows("error_stream").length, 1);
  });

  it("an unknown function or a bad call is a compile error naming line and column", () => {
    const error = compileError(`CREATE STREAM "D" (a VARCHAR(8));\nCREATE PUMP "P" AS INSERT INTO "D" SELECT STREAM LTRIM(v) FROM "S";`, {
      inputs: { S: "V VARCHAR(8)" },
    });
    assert.equal(error.position?.line, 2);
    const badCall = compileError(`CREATE STREAM "D" (a DOUBLE);\nCREATE PUMP "P" AS INSERT INTO "D" SELECT STREAM ABS(v) FROM "S";`, {
      inputs: { S: "V VARCHAR(8)" },
    });
    assert.match(badCall.message, /Cannot apply 'ABS'/);
  });
});
