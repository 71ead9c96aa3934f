import { it } from "node:test";
import assert from "node:assert/strict";
import { parseProgram } from "../../../src/analytics/sql/parser.js";
import type { CreatePump, CreateStream, Select } from "../../../src/analytics/sql/ast.js";
import { queryText, typeText } from "./sexpr.js";

function pumpQuery(code: string): string {
  const pump = parseProgram(code).statements.find((statement) => statement.kind === "CreatePump") as CreatePump;
  return queryText(pump.query);
}

const select = (code: string): string => queryText(parseProgram(code).statements[0] as Select);

it("CREATE [OR REPLACE] STREAM with types, NOT NULL, DESCRIPTION; comments and semicolons", () => {
  const program = parseProgram(`
    /* a block
       comment */
    CREATE OR REPLACE STREAM "OrderData" (
      "key_order"  BIGINT NOT NULL, -- a trailing comment
      country      SMALLINT,
      eur          DECIMAL(19,5),
      name         VARCHAR(12),
      code         CHAR(2),
      at_time      TIMESTAMP,
      ok           BOOLEAN,
      ratio        DOUBLE PRECISION,
      r            REAL,
      d            DATE,
      t            TIME,
      n            INT
    ) DESCRIPTION 'conditioned order data';;
    create stream logStream (source VARCHAR(20), message VARCHAR(3072))`);
  assert.equal(program.statements.length, 2);
  const stream = program.statements[0] as CreateStream;
  assert.equal(stream.kind, "CreateStream");
  assert.equal(stream.orReplace, true);
  assert.equal(stream.name, "OrderData");
  assert.deepEqual(
    stream.columns.map((column) => `${column.name} ${typeText(column.type)}`),
    ["key_order BIGINT", "COUNTRY SMALLINT", "EUR DECIMAL(19,5)", "NAME VARCHAR(12)", "CODE CHAR(2)", "AT_TIME TIMESTAMP(3)", "OK BOOLEAN", "RATIO DOUBLE", "R REAL", "D DATE", "T TIME(0)", "N INTEGER"],
  );
  assert.equal(stream.columns[0]!.type.nullable, false);
  assert.deepEqual(stream.columns[1]!.at, { line: 6, column: 7 });
  assert.deepEqual(stream.at, { line: 4, column: 5 });
  const second = program.statements[1] as CreateStream;
  assert.equal(second.orReplace, false);
  assert.equal(second.name, "LOGSTREAM");
});

it("CREATE PUMP … AS INSERT INTO … [(columns)] SELECT STREAM", () => {
  const program = parseProgram(`CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM" (a, "b")
    SELECT STREAM x, y FROM "SOURCE_SQL_STREAM_001" WHERE x > 10`);
  const pump = program.statements[0] as CreatePump;
  assert.equal(pump.kind, "CreatePump");
  assert.equal(pump.name, "STREAM_PUMP");
  assert.equal(pump.target, "DESTINATION_SQL_STREAM");
  assert.deepEqual(pump.targetColumns, ["A", "b"]);
  assert.equal(queryText(pump.query), "SELECT STREAM X, Y FROM SOURCE_SQL_STREAM_001 WHERE (> X 10:INTEGER)");
  const stopped = parseProgram(`CREATE PUMP p STOPPED AS INSERT INTO d (SELECT STREAM * FROM s)`).statements[0] as CreatePump;
  assert.equal(stopped.orReplace, false);
  assert.equal(stopped.targetColumns, undefined);
  assert.equal(queryText(stopped.query), "SELECT STREAM * FROM S");
});

it("SELECT: DISTINCT, aliases with and without AS, qualified star, ORDER BY, LIMIT", () => {
  assert.equal(select("SELECT DISTINCT a x, b AS \"Y\", t.* FROM t ORDER BY a DESC, b LIMIT 5"), "SELECT DISTINCT A AS X, B AS Y, T.* FROM T ORDER BY A DESC, B LIMIT 5");
  assert.equal(select("SELECT ALL * FROM t"), "SELECT * FROM T");
  assert.equal(select("SELECT stream FROM t"), "SELECT STREAM FROM T");
});

it("FROM: aliases, windows on streams, subqueries, joins, TABLE functions", () => {
  assert.equal(select("SELECT STREAM * FROM s AS a"), "SELECT STREAM * FROM S AS A");
  assert.equal(select("SELECT STREAM * FROM s a"), "SELECT STREAM * FROM S AS A");
  assert.equal(
    select("SELECT STREAM * FROM OrderStream AS o JOIN TradeStream OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t ON o.orderId = t.orderId"),
    "SELECT STREAM * FROM {ORDERSTREAM AS O INNER TRADESTREAM OVER [RANGE INTERVAL '1' MINUTE] AS T ON (= O.ORDERID T.ORDERID)}",
  );
  assert.equal(select("SELECT STREAM * FROM a LEFT OUTER JOIN b ON a.x = b.x RIGHT JOIN c ON TRUE"), "SELECT STREAM * FROM {{A LEFT B ON (= A.X B.X)} RIGHT C ON TRUE}");
  assert.equal(select("SELECT STREAM * FROM a FULL JOIN b ON p CROSS JOIN c, d"), "SELECT STREAM * FROM {{{A FULL B ON P} CROSS C} CROSS D}");
  assert.equal(select("SELECT STREAM * FROM a INNER JOIN (b JOIN c ON q) ON p"), "SELECT STREAM * FROM {A INNER {B INNER C ON Q} ON P}");
  assert.equal(select("SELECT STREAM x FROM (SELECT STREAM y AS x FROM s) AS t"), "SELECT STREAM X FROM (SELECT STREAM Y AS X FROM S) AS T");
  assert.equal(
    select("SELECT STREAM * FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM s), 100, 256, 100000, 1)) AS r"),
    "SELECT STREAM * FROM TABLE(RANDOM_CUT_FOREST (CURSOR SELECT STREAM * FROM S) 100:INTEGER 256:INTEGER 100000:INTEGER 1:INTEGER) AS R",
  );
});

it("GROUP BY with STEP and FLOOR, HAVING, WINDOW clause, WINDOWED BY STAGGER", () => {
  assert.equal(
    select("SELECT STREAM t, COUNT(*) AS c FROM s GROUP BY t, STEP(s.ROWTIME BY INTERVAL '60' SECOND), FLOOR(s.ROWTIME TO MINUTE) HAVING COUNT(*) > 1"),
    "SELECT STREAM T, (COUNT *) AS C FROM S GROUP BY T, (STEP S.ROWTIME INTERVAL '60' SECOND), (FLOOR S.ROWTIME :MINUTE) HAVING (> (COUNT *) 1:INTEGER)",
  );
  assert.equal(
    select("SELECT STREAM SUM(a) OVER w1 FROM s WINDOW w1 AS (PARTITION BY t ORDER BY ROWTIME ROWS 2 PRECEDING), w2 AS (w1 RANGE CURRENT ROW), w3 AS (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"),
    "SELECT STREAM (SUM A) OVER W1 FROM S WINDOW W1 [PARTITION T; ORDER ROWTIME; ROWS 2:INTEGER], W2 [W1; RANGE CURRENT ROW], W3 [ROWS UNBOUNDED]",
  );
  assert.equal(
    select("SELECT STREAM t, COUNT(*) FROM s WINDOWED BY STAGGER (PARTITION BY FLOOR(e TO MINUTE), t RANGE INTERVAL '1' MINUTE)"),
    "SELECT STREAM T, (COUNT *) FROM S STAGGER [PARTITION (FLOOR E :MINUTE) T; RANGE INTERVAL '1' MINUTE]",
  );
});

it("UNION ALL and other set operations in a pump", () => {
  assert.equal(pumpQuery("CREATE PUMP p AS INSERT INTO d SELECT STREAM a FROM s1 UNION ALL SELECT STREAM a FROM s2 UNION ALL (SELECT STREAM a FROM s3)"), "SELECT STREAM A FROM S1 UNION ALL SELECT STREAM A FROM S2 UNION ALL SELECT STREAM A FROM S3");
  assert.equal(pumpQuery("CREATE PUMP p AS INSERT INTO d SELECT a FROM s1 UNION SELECT a FROM s2 INTERSECT SELECT a FROM s3"), "SELECT A FROM S1 UNION SELECT A FROM S2 INTERSECT SELECT A FROM S3");
  const pump = parseProgram("CREATE PUMP p AS INSERT INTO d SELECT a FROM s1 UNION SELECT a FROM s2 INTERSECT SELECT a FROM s3").statements[0] as CreatePump;
  assert.equal(pump.query.kind === "SetOperation" && pump.query.right.kind, "SetOperation");
});
