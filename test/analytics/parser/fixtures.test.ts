/**
 * Every SQL example of the developer guide (its archived source, fixtures/developer-guide/) and a few
 * from the SQL reference (fixtures/reference/) parses, and the trees have the shape the planner needs.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { parseProgram } from "../../../src/analytics/sql/parser.js";
import type { CreatePump, CreateStream, Program, Select } from "../../../src/analytics/sql/ast.js";
import { SqlCompileError } from "../../../src/analytics/sql/types.js";
import { queryText, typeText } from "./sexpr.js";

const fixtures = new URL("./fixtures/", import.meta.url);

function load(name: string): Program {
  return parseProgram(readFileSync(new URL(name, fixtures), "utf8"));
}

function pumps(program: Program): CreatePump[] {
  return program.statements.filter((statement): statement is CreatePump => statement.kind === "CreatePump");
}

function streams(program: Program): CreateStream[] {
  return program.statements.filter((statement): statement is CreateStream => statement.kind === "CreateStream");
}

it("every developer guide and reference example parses", () => {
  for (const folder of ["developer-guide", "reference"]) {
    const names = readdirSync(new URL(`${folder}/`, fixtures)).filter((name) => name.endsWith(".sql"));
    assert.ok(names.length > 0);
    for (const name of names) {
      const program = load(`${folder}/${name}`);
      assert.ok(program.statements.length > 0, name);
    }
  }
});

it("tumbling window on ROWTIME (examples-window-tumbling-rowtime)", () => {
  const program = load("developer-guide/examples-window-tumbling-rowtime-2.sql");
  assert.deepEqual(
    streams(program)[0]!.columns.map((column) => `${column.name} ${typeText(column.type)}`),
    ["TICKER VARCHAR(4)", "MIN_PRICE REAL", "MAX_PRICE REAL"],
  );
  const [pump] = pumps(program);
  assert.equal(pump!.name, "STREAM_PUMP");
  assert.equal(pump!.target, "DESTINATION_SQL_STREAM");
  assert.equal(
    queryText(pump!.query),
    "SELECT STREAM TICKER, (MIN PRICE), (MAX PRICE) FROM SOURCE_SQL_STREAM_001 GROUP BY TICKER, (STEP SOURCE_SQL_STREAM_001.ROWTIME INTERVAL '60' SECOND)",
  );
});

it("tumbling window on an event-time column (examples-window-tumbling-event)", () => {
  const [pump] = pumps(load("developer-guide/examples-window-tumbling-event-2.sql"));
  assert.equal(
    queryText(pump!.query),
    "SELECT STREAM (STEP SOURCE_SQL_STREAM_001.EVENT_TIME INTERVAL '60' SECOND), TICKER, (MIN PRICE) AS MIN_PRICE, (MAX PRICE) AS MAX_PRICE FROM SOURCE_SQL_STREAM_001 " +
      "GROUP BY TICKER, (STEP SOURCE_SQL_STREAM_001.ROWTIME INTERVAL '60' SECOND), (STEP SOURCE_SQL_STREAM_001.EVENT_TIME INTERVAL '60' SECOND)",
  );
});

it("stagger windows (stagger-window-concepts, examples-window-stagger)", () => {
  const [pump] = pumps(load("developer-guide/stagger-window-concepts-1.sql"));
  const select = pump!.query as Select;
  assert.equal(select.groupBy, undefined);
  assert.equal(
    queryText(select),
    "SELECT STREAM TICKER_SYMBOL, (FLOOR EVENT_TIME :MINUTE), (COUNT TICKER_SYMBOL) AS TICKER_COUNT FROM SOURCE_SQL_STREAM_001 STAGGER [PARTITION (FLOOR EVENT_TIME :MINUTE) TICKER_SYMBOL; RANGE INTERVAL '1' MINUTE]",
  );
  assert.deepEqual(select.stagger!.at, { line: 13, column: 5 });
  const [other] = pumps(load("developer-guide/examples-window-stagger-2.sql"));
  assert.equal((other!.query as Select).stagger!.partitionBy.length, 2);
});

it("sliding windows: named, by time and by rows (sliding-window-concepts)", () => {
  const [byTime] = pumps(load("developer-guide/sliding-window-concepts-2.sql"));
  assert.equal(
    queryText(byTime!.query),
    "SELECT STREAM TICKER_SYMBOL, (MIN PRICE) OVER W1 AS MIN_PRICE, (MAX PRICE) OVER W1 AS MAX_PRICE, (AVG PRICE) OVER W1 AS AVG_PRICE FROM SOURCE_SQL_STREAM_001 WINDOW W1 [PARTITION TICKER_SYMBOL; RANGE INTERVAL '1' MINUTE]",
  );
  const [byRows] = pumps(load("developer-guide/sliding-window-concepts-5.sql"));
  assert.equal(
    queryText(byRows!.query),
    "SELECT STREAM TICKER_SYMBOL, PRICE, (AVG PRICE) OVER LAST2ROWS, (AVG PRICE) OVER LAST10ROWS FROM SOURCE_SQL_STREAM_001 WINDOW LAST2ROWS [PARTITION TICKER_SYMBOL; ROWS 2:INTEGER], LAST10ROWS [PARTITION TICKER_SYMBOL; ROWS 10:INTEGER]",
  );
  const examples = load("reference/window-examples.sql").statements[0] as Select;
  assert.deepEqual(
    examples.windows!.map((window) => window.name),
    ["LASTHOUR", "LASTTHREE", "LASTZEROROWS", "LASTZEROSECONDS", "LASTTWOSAMETICKER", "LASTHOURSAMETICKER"],
  );
  assert.equal(examples.windows![2]!.spec.frame!.preceding, "CURRENT ROW");
});

it("anomaly detection: TABLE(RANDOM_CUT_FOREST(CURSOR(...))) and ORDER BY (app-anomaly-detection)", () => {
  const [score, output] = pumps(load("developer-guide/app-anomaly-detection-1.sql"));
  assert.equal(
    queryText(score!.query),
    "SELECT STREAM heartRate, rateType, ANOMALY_SCORE FROM TABLE(RANDOM_CUT_FOREST (CURSOR SELECT STREAM * FROM SOURCE_SQL_STREAM_001))",
  );
  assert.equal(queryText(output!.query), "SELECT STREAM * FROM TEMP_STREAM ORDER BY (FLOOR TEMP_STREAM.ROWTIME :SECOND), ANOMALY_SCORE DESC");
  const [explained] = pumps(load("developer-guide/app-anom-with-exp-create-app-0.sql"));
  assert.match(queryText(explained!.query), /TABLE\(RANDOM_CUT_FOREST_WITH_EXPLANATION \(CURSOR SELECT STREAM \* FROM SOURCE_SQL_STREAM_001\) 100:INTEGER 256:INTEGER 100000:INTEGER 1:INTEGER TRUE\)$/);
});

it("hotspots and top-K: table functions with constant arguments", () => {
  const [hotspots] = pumps(load("developer-guide/app-hotspot-create-app-0.sql"));
  const select = hotspots!.query as Select;
  assert.equal(select.stream, false);
  assert.equal(
    queryText(select),
    "SELECT x, y, is_hot, HOTSPOTS_RESULT FROM TABLE(HOTSPOTS (CURSOR SELECT STREAM x, y, is_hot FROM SOURCE_SQL_STREAM_001) 1000:INTEGER 0.2:DECIMAL(1,1) 17:INTEGER)",
  );
  const [topK] = pumps(load("developer-guide/examples-window-topkitems-2.sql"));
  assert.equal(queryText(topK!.query), "SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING (CURSOR SELECT STREAM * FROM SOURCE_SQL_STREAM_001) 'TICKER' 5:INTEGER 60:INTEGER)");
});

it("log parsing: ROW fields through subquery aliases (regex, variable column, W3C)", () => {
  const [regex] = pumps(load("developer-guide/examples-transforming-strings-regexlogparse-2.sql"));
  assert.equal(
    queryText(regex!.query),
    "SELECT STREAM T.LOGENTRY, (. T.REC COLUMN1), (. T.REC COLUMN2) FROM (SELECT STREAM LOGENTRY, (REGEX_LOG_PARSE LOGENTRY '(\\w.+) (\\d.+) (\\w.+) (\\w.+)') AS REC FROM SOURCE_SQL_STREAM_001) AS T",
  );
  const [variable] = pumps(load("developer-guide/examples-transforming-strings-variablecolumnlogparse-2.sql"));
  assert.match(queryText(variable!.query), /^SELECT STREAM T\.Col_A, T\.Col_B, T\.Col_C, \(\. T\.R COL_1\), \(\. T\.R COL_2\), \(\. T\.R COL_3\) FROM \(SELECT STREAM Col_A, Col_B, Col_C, \(VARIABLE_COLUMN_LOG_PARSE Col_E_Unstructured 'COL_1 TYPE VARCHAR\(16\), COL_2 TYPE VARCHAR\(16\), COL_3 TYPE VARCHAR\(16\)' ','\) AS R FROM SOURCE_SQL_STREAM_001\) AS T$/);
  // AS l(r): the column list names the subquery's only column.
  const [w3c] = pumps(load("developer-guide/examples-transforming-strings-w3clogparse-2.sql"));
  assert.match(queryText(w3c!.query), /^SELECT STREAM \(\. L\.R COLUMN1\), .* FROM \(SELECT STREAM \(W3C_LOG_PARSE log 'COMMON'\) AS R FROM SOURCE_SQL_STREAM_001\) AS L$/);
});

it("reference data join and stream-to-stream joins", () => {
  const [reference] = pumps(load("developer-guide/app-add-reference-data-4.sql"));
  assert.equal(
    queryText(reference!.query),
    "SELECT STREAM TICKER_SYMBOL, c.Company, SECTOR, CHANGE, PRICE FROM {SOURCE_SQL_STREAM_001 LEFT CompanyName AS c ON (= SOURCE_SQL_STREAM_001.TICKER_SYMBOL c.Ticker)}",
  );
  const windowed = load("developer-guide/stream-joins-concepts-2.sql").statements[0] as Select;
  assert.equal(fromOf(windowed), "{ORDERSTREAM AS O INNER TRADESTREAM OVER [RANGE INTERVAL '1' MINUTE] AS T ON (= O.ORDERID T.ORDERID)}");
  const named = load("developer-guide/stream-joins-concepts-3.sql").statements[0] as Select;
  assert.equal(fromOf(named), "{ORDERSTREAM AS O INNER TRADESTREAM OVER T ON (= O.ORDERID T.ORDERID)}");
  assert.equal(named.windows![0]!.name, "T");
});

function fromOf(select: Select): string {
  return queryText(select).replace(/^.* FROM /, "").replace(/ WINDOW .*$/, "");
}

it("error stream example, string and date-time manipulation, pumps chained through streams", () => {
  const error = load("developer-guide/app-explore-error-stream-0.sql").statements[0] as Select;
  assert.equal(
    queryText(error),
    "SELECT STREAM TICKER_SYMBOL, SECTOR, CHANGE, (/ PRICE 0:INTEGER) AS PROBLEMCOLUMN FROM SOURCE_SQL_STREAM_001 WHERE (SIMILAR TO SECTOR '%TECH%')",
  );
  const [dates] = pumps(load("developer-guide/app-string-datetime-manipulation-2.sql"));
  assert.equal(
    queryText(dates!.query),
    "SELECT STREAM TICKER, EVENT_TIME, (- EVENT_TIME INTERVAL '5' MINUTE), (UNIX_TIMESTAMP EVENT_TIME), (TIMESTAMP_TO_CHAR 'yyyy-MM-dd hh:mm:ss' EVENT_TIME), (EXTRACT :SECOND EVENT_TIME) FROM SOURCE_SQL_STREAM_001",
  );
  const [substring] = pumps(load("developer-guide/examples-transforming-strings-substring-2.sql"));
  assert.match(queryText(substring!.query), /\(SUBSTRING referrer 12:INTEGER \(- \(- \(POSITION '\.com' referrer\) \(POSITION 'www\.' referrer\)\) 4:INTEGER\)\)/);
  const throttled = load("developer-guide/app-throttled-alerts-0.sql");
  assert.deepEqual(pumps(throttled).map((pump) => `${pump.name}→${pump.target}`), ["change_pump→CHANGE_STREAM", "TRIGGER_COUNT_PUMP→TRIGGER_COUNT_STREAM"]);
  assert.equal(
    queryText(pumps(throttled)[1]!.query),
    "SELECT STREAM TICKER_SYMBOL, CHANGE, TRIGGER_COUNT FROM (SELECT STREAM TICKER_SYMBOL, CHANGE, (COUNT *) OVER W1 AS TRIGGER_COUNT FROM CHANGE_STREAM WINDOW W1 [PARTITION TICKER_SYMBOL; RANGE INTERVAL '1' MINUTE]) WHERE (>= TRIGGER_COUNT 1:INTEGER)",
  );
});

it("partial results: pumps with target column lists and STEP over quoted ROWTIME", () => {
  const [count, aggregate] = pumps(load("developer-guide/examples-window-partialresults-0.sql"));
  assert.equal(count!.orReplace, false);
  assert.deepEqual(count!.targetColumns, ["TICKER", "TRADETIME", "TICKERCOUNT"]);
  assert.match(queryText(count!.query), /\(STEP SOURCE_SQL_STREAM_001\.ROWTIME INTERVAL '1' MINUTE\) AS TradeTime/);
  assert.match(queryText(aggregate!.query), /\(SUM TICKERCOUNT\) OVER W1 AS TICKERCOUNT FROM CALC_COUNT_SQL_STREAM WINDOW W1 \[PARTITION TRADETIME; RANGE INTERVAL '10' MINUTE\]$/);
});

it("reference: CREATE STREAM with DESCRIPTION and NOT NULL; CREATE PUMP with // comments; LAG … IGNORE NULLS OVER", () => {
  const created = streams(load("reference/create-stream.sql"));
  assert.deepEqual(created.map((stream) => stream.name), ["LOGSTREAM", "LaneData", "OrderData"]);
  assert.equal(typeText(created[1]!.columns[5]!.type), "DECIMAL(4,2)");
  assert.equal(created[2]!.columns[0]!.type.nullable, false);
  const [pump] = pumps(load("reference/create-pump.sql"));
  assert.equal(pump!.name, "200-ConditionedOrdersPump");
  assert.equal(pump!.targetColumns!.length, 7);
  const [lag] = pumps(load("reference/lag.sql"));
  assert.match(queryText(lag!.query), /\(LAG PRICE 1:INTEGER 0:INTEGER\) IGNORE NULLS OVER \[PARTITION TICKER_SYMBOL; RANGE INTERVAL '1' MINUTE\]/);
});

it("a typo in the developer guide (a comma before FROM) is reported where it is", () => {
  const code = [
    "SELECT STREAM",
    "    ROWTIME,",
    "    o.orderId, o.ticker, o.amount AS orderAmount,",
    "    t.ticker, t.tradeId, t.amount AS tradeAmount,",
    "FROM OrderStream AS o",
    "LEFT OUTER JOIN TradeStream OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t",
    "ON    o.orderId = t.orderId;",
  ].join("\n");
  assert.throws(
    () => parseProgram(code),
    (error: unknown) => error instanceof SqlCompileError && error.position?.line === 5 && error.position.column === 1 && /Encountered "FROM"/.test(error.message),
  );
});
