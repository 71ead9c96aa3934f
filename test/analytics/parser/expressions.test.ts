import { it } from "node:test";
import assert from "node:assert/strict";
import { parseProgram } from "../../../src/analytics/sql/parser.js";
import type { Expression, Select } from "../../../src/analytics/sql/ast.js";
import { sx } from "./sexpr.js";

/** The first select item's expression of `SELECT STREAM <text> FROM s`. */
function expr(text: string): Expression {
  const select = parseProgram(`SELECT STREAM ${text} FROM s`).statements[0] as Select;
  const item = select.items[0]!;
  assert.equal(item.kind, "Item");
  return item.kind === "Item" ? item.expression : (undefined as never);
}

const e = (text: string): string => sx(expr(text));

it("operator precedence: OR < AND < NOT < comparison < || < + - < * / % < unary", () => {
  assert.equal(e("a OR b AND c"), "(OR A (AND B C))");
  assert.equal(e("NOT a = b AND c"), "(AND (NOT (= A B)) C)");
  assert.equal(e("a = b || c"), "(= A (|| B C))");
  assert.equal(e("a || b + c"), "(|| A (+ B C))");
  assert.equal(e("a + b * c - d"), "(- (+ A (* B C)) D)");
  assert.equal(e("a % b / c"), "(/ (% A B) C)");
  assert.equal(e("-a * b"), "(* (- A) B)");
  assert.equal(e("(a + b) * c"), "(* (+ A B) C)");
  assert.equal(e("a <> b"), "(<> A B)");
  assert.equal(e("a != b"), "(<> A B)");
  assert.equal(e("a <= b OR a >= c"), "(OR (<= A B) (>= A C))");
});

it("predicates: IS, BETWEEN, IN, LIKE, SIMILAR TO, negated forms", () => {
  assert.equal(e("a IS NULL"), "(IS NULL A)");
  assert.equal(e("a IS NOT NULL"), "(IS NOT NULL A)");
  assert.equal(e("a > 1 IS TRUE"), "(IS TRUE (> A 1:INTEGER))");
  assert.equal(e("a IS NOT UNKNOWN"), "(IS NOT UNKNOWN A)");
  assert.equal(e("a BETWEEN 1 AND 2 AND b"), "(AND (BETWEEN A 1:INTEGER 2:INTEGER) B)");
  assert.equal(e("a NOT BETWEEN SYMMETRIC b + 1 AND c"), "(NOT BETWEEN SYMMETRIC A (+ B 1:INTEGER) C)");
  assert.equal(e("a IN (1, 2, 3)"), "(IN A 1:INTEGER 2:INTEGER 3:INTEGER)");
  assert.equal(e("a NOT IN ('x')"), "(NOT IN A 'x')");
  assert.equal(e("a LIKE 'x%' ESCAPE '!'"), "(LIKE A 'x%' ESCAPE '!')");
  assert.equal(e("a NOT LIKE 'x%'"), "(NOT LIKE A 'x%')");
  assert.equal(e("a SIMILAR TO '[a-z]+'"), "(SIMILAR TO A '[a-z]+')");
  assert.equal(e("a NOT SIMILAR TO 'b'"), "(NOT SIMILAR TO A 'b')");
  assert.equal(e("NOT a LIKE 'b'"), "(NOT (LIKE A 'b'))");
});

it("numeric literals are typed as the reference types them", () => {
  assert.equal(e("12"), "12:INTEGER");
  assert.equal(e("2147483647"), "2147483647:INTEGER");
  assert.equal(e("2147483648"), "2147483648:BIGINT");
  assert.equal(e("1.50"), "1.5:DECIMAL(3,2)");
  assert.equal(e("0.05"), "0.05:DECIMAL(2,2)");
  assert.equal(e(".5"), "0.5:DECIMAL(1,1)");
  assert.equal(e("1e3"), "1000:DOUBLE");
  assert.equal(e("2.5E-1"), "0.25:DOUBLE");
  assert.equal(e("-7"), "(- 7:INTEGER)");
});

it("string, binary, boolean, null and typed literals", () => {
  assert.equal(e("'it''s'"), "'it's'");
  const literal = expr("'abc'");
  assert.deepEqual(literal.kind === "Literal" && literal.type, { name: "CHAR", precision: 3, nullable: false });
  assert.equal(e("'ab'\n  'cd'"), "'abcd'");
  assert.equal(e("U&'\\0041b\\\\'"), "'Ab\\'");
  assert.equal(e("U&'!0041b' UESCAPE '!'"), "'Ab'");
  assert.equal(e("X'0aFF'"), "VARBINARY'0AFF'");
  assert.equal(e("TRUE AND FALSE"), "(AND TRUE FALSE)");
  assert.equal(e("NULL"), "NULL");
  assert.equal(e("TIMESTAMP '2020-01-02 03:04:05.678'"), "TIMESTAMP'2020-01-02 03:04:05.678'");
  assert.equal(e("DATE '2020-01-02'"), "DATE'2020-01-02'");
  assert.equal(e("TIME '03:04:05'"), "TIME'03:04:05'");
});

it("interval literals with qualifiers", () => {
  assert.equal(e("INTERVAL '1' MINUTE"), "INTERVAL '1' MINUTE");
  assert.equal(e("INTERVAL '1:30' HOUR TO MINUTE"), "INTERVAL '1:30' HOUR TO MINUTE");
  assert.equal(e("INTERVAL '100' DAY(3)"), "INTERVAL '100' DAY(3)");
  assert.equal(e("INTERVAL -'5' DAY"), "INTERVAL -'5' DAY");
  assert.equal(e("INTERVAL '1 02:03:04.5' DAY TO SECOND"), "INTERVAL '1 02:03:04.5' DAY TO SECOND");
  assert.equal(e("INTERVAL '2-6' YEAR TO MONTH"), "INTERVAL '2-6' YEAR TO MONTH");
  assert.equal(e("ROWTIME - INTERVAL '1' HOUR"), "(- ROWTIME INTERVAL '1' HOUR)");
});

it("CASE (both forms), CAST with data types", () => {
  assert.equal(e("CASE WHEN a > 1 THEN 'big' ELSE 'small' END"), "(CASE [(> A 1:INTEGER) 'big'] ELSE 'small')");
  assert.equal(e("CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' END"), "(CASE A [1:INTEGER 'one'] [2:INTEGER 'two'])");
  assert.equal(e("CAST(a AS VARCHAR(10))"), "(CAST A VARCHAR(10))");
  assert.equal(e("CAST(a AS DECIMAL(10, 2))"), "(CAST A DECIMAL(10,2))");
  assert.equal(e("CAST(a AS NUMERIC)"), "(CAST A DECIMAL(18,0))");
  assert.equal(e("CAST(a AS INT)"), "(CAST A INTEGER)");
  assert.equal(e("CAST(a AS DOUBLE PRECISION)"), "(CAST A DOUBLE)");
  assert.equal(e("CAST(a AS CHARACTER VARYING(5))"), "(CAST A VARCHAR(5))");
  assert.equal(e("CAST(a AS CHAR)"), "(CAST A CHAR(1))");
  assert.equal(e("CAST(a AS TIMESTAMP)"), "(CAST A TIMESTAMP(3))");
  assert.equal(e("CAST(a AS INTERVAL DAY TO SECOND)"), "(CAST A INTERVAL DAY TO SECOND)");
});

it("special call syntax is normalised into calls", () => {
  assert.equal(e("FLOOR(ROWTIME TO MINUTE)"), "(FLOOR ROWTIME :MINUTE)");
  assert.equal(e("FLOOR(x)"), "(FLOOR X)");
  assert.equal(e("CEILING(ts TO HOUR)"), "(CEIL TS :HOUR)");
  assert.equal(e("STEP(ROWTIME BY INTERVAL '10' SECOND)"), "(STEP ROWTIME INTERVAL '10' SECOND)");
  assert.equal(e("EXTRACT(HOUR FROM ts)"), "(EXTRACT :HOUR TS)");
  assert.equal(e("POSITION('a' IN s)"), "(POSITION 'a' S)");
  assert.equal(e("POSITION('a' IN s FROM 3)"), "(POSITION 'a' S 3:INTEGER)");
  assert.equal(e("SUBSTRING(s FROM 2 FOR 3)"), "(SUBSTRING S 2:INTEGER 3:INTEGER)");
  assert.equal(e("SUBSTRING(s, 2, 3)"), "(SUBSTRING S 2:INTEGER 3:INTEGER)");
  assert.equal(e("SUBSTRING(s FROM 2)"), "(SUBSTRING S 2:INTEGER)");
  assert.equal(e("SUBSTRING(s SIMILAR '23#\"456#\"78' ESCAPE '#')"), "(SUBSTRING S :SIMILAR '23#\"456#\"78' '#')");
  assert.equal(e("TRIM(s)"), "(TRIM :BOTH ' ' S)");
  assert.equal(e("TRIM(LEADING FROM s)"), "(TRIM :LEADING ' ' S)");
  assert.equal(e("TRIM(TRAILING 'x' FROM s)"), "(TRIM :TRAILING 'x' S)");
  assert.equal(e("TRIM('x' FROM s)"), "(TRIM :BOTH 'x' S)");
  assert.equal(e("OVERLAY(s PLACING 'ab' FROM 2 FOR 1)"), "(OVERLAY S 'ab' 2:INTEGER 1:INTEGER)");
  assert.equal(e("CURRENT_ROW_TIMESTAMP"), "(CURRENT_ROW_TIMESTAMP)");
  assert.equal(e("LOCALTIMESTAMP"), "(LOCALTIMESTAMP)");
  assert.equal(e("CURRENT_DATE"), "(CURRENT_DATE)");
});

it("calls: COUNT(*), DISTINCT, OVER, IGNORE NULLS, quoted names", () => {
  assert.equal(e("COUNT(*)"), "(COUNT *)");
  assert.equal(e("count(DISTINCT a)"), "(COUNT DISTINCT A)");
  assert.equal(e("SUM(a) OVER w"), "(SUM A) OVER w".replace("w", "W"));
  assert.equal(e("AVG(price) OVER (PARTITION BY ticker RANGE INTERVAL '1' HOUR PRECEDING)"), "(AVG PRICE) OVER [PARTITION TICKER; RANGE INTERVAL '1' HOUR]");
  assert.equal(e("LAG(a, 1) IGNORE NULLS OVER (ROWS 3 PRECEDING)"), "(LAG A 1:INTEGER) IGNORE NULLS OVER [ROWS 3:INTEGER]");
  assert.equal(e("NTH_VALUE(a, 2) FROM LAST IGNORE NULLS OVER (ROWS 3 PRECEDING)"), "(NTH_VALUE A 2:INTEGER :LAST) IGNORE NULLS OVER [ROWS 3:INTEGER]");
  assert.equal(e("FIRST_VALUE(a IGNORE NULLS) OVER w"), "(FIRST_VALUE A) IGNORE NULLS OVER W");
  assert.equal(e("\"myFunc\"(1)"), "(myFunc 1:INTEGER)");
  assert.equal(e("lower(a)"), "(LOWER A)");
});

it("names: quoted identifiers, qualified names, field access, ROW values", () => {
  assert.equal(e('"ticker_symbol"'), "ticker_symbol");
  assert.equal(e('"a""b"'), 'a"b');
  assert.equal(e("s.price"), "S.PRICE");
  assert.equal(e('"s"."Price"'), "s.Price");
  assert.equal(e("t.r.COLUMN1"), "(. T.R COLUMN1)");
  assert.equal(e("(t.r).COLUMN1"), "(. T.R COLUMN1)");
  assert.equal(e("FAST_REGEX_LOG_PARSER(log, p).COLUMN1"), "(. (FAST_REGEX_LOG_PARSER LOG P) COLUMN1)");
  assert.equal(e("ROW(1, 'a')"), "(ROW 1:INTEGER 'a')");
  assert.equal(e("(1, 2)"), "(ROW 1:INTEGER 2:INTEGER)");
  assert.equal(e("(SELECT MAX(x) FROM t)"), "(SUBQUERY SELECT (MAX X) FROM T)");
});

it("every node carries the position of its first token", () => {
  const expression = expr("a\n  + b * c");
  assert.equal(expression.kind, "Binary");
  if (expression.kind !== "Binary") return;
  assert.deepEqual(expression.at, { line: 1, column: 15 });
  assert.deepEqual(expression.right.at, { line: 2, column: 5 });
});
