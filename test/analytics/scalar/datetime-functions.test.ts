/**
 * Date and time functions: the reference's "Template Strings to Create Specific Output Timestamps"
 * table, EXTRACT's examples, the query-start clocks, TSDIFF and the conversions.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { arg, call, context, dayInterval, intervalArg, lit, monthInterval, resolve, resolveError, rowError, run, symbol, timestampArg, ts, varcharArg } from "./helpers.js";

const charToTimestamp = (template: string, input: string) => call("CHAR_TO_TIMESTAMP", [lit(template), varcharArg(input)]);

describe("CHAR_TO_TIMESTAMP", () => {
  it("the reference's template table", () => {
    assert.equal(charToTimestamp("yyyy-MM-dd hh:mm:ss", "2009-09-16 03:15:24"), ts("2009-09-16 03:15:24"));
    assert.equal(charToTimestamp("yyyy-mm", "2011-02-08 07:23:19"), ts("2011-01-01 00:02:00"));
    assert.equal(charToTimestamp("MMM dd, yyyy", "March 7, 2010"), ts("2010-03-07 00:00:00"));
    assert.equal(charToTimestamp("MMM dd,", "March 7, 2010"), ts("1970-03-07 00:00:00"));
    assert.equal(charToTimestamp("MMM dd,y", "March 7, 2010"), ts("2010-03-07 00:00:00"));
    assert.equal(charToTimestamp("M-d", "2-8"), ts("1970-02-08 00:00:00"));
    assert.equal(charToTimestamp("M-d", "2-8-2011"), ts("1970-02-08 00:00:00"));
    assert.equal(charToTimestamp("MM-dd-yyyy", "06-23-2011 10:11:12"), ts("2011-06-23 00:00:00"));
    assert.equal(charToTimestamp("dd-MM-yy hh:mm:ss", "23-06-11 10:11:12"), ts("2011-06-23 10:11:12"));
    assert.equal(charToTimestamp("MM-dd-yy ss:hh:mm", "06-23-11 12:10:11"), ts("2011-06-23 10:11:12"));
    assert.equal(charToTimestamp("yy-dd-MM ss:hh:mm", "06-23-11 12:10:11"), ts("2006-11-23 10:11:12"));
  });

  it("a one-letter year is literal: 'March 7, 10' is the year 10", () => {
    const year10 = new Date(0);
    year10.setUTCFullYear(10, 2, 7);
    assert.equal(charToTimestamp("MMM dd,y", "March 7, 10"), year10.getTime());
    assert.equal(call("TIMESTAMP_TO_CHAR", [lit("yyyy-MM-dd"), arg("TIMESTAMP", year10.getTime())]), "0010-03-07");
  });

  it("no result when an element is out of range or the template does not match", () => {
    assert.equal(rowError("CHAR_TO_TIMESTAMP", [lit("M-d"), lit("2011-2-8")]).errorName, "Invalid datetime format");
    assert.equal(rowError("CHAR_TO_TIMESTAMP", [lit("MMM dd yyyy"), lit("March 7, 2010")]).errorName, "Invalid datetime format");
    assert.equal(rowError("CHAR_TO_TIMESTAMP", [lit("yyyy-MM-dd"), lit("2011-02-30")]).errorName, "Invalid datetime format");
    assert.equal(rowError("CHAR_TO_TIMESTAMP", [lit("yyyy-MM-dd hh:mm"), lit("2011-02-03 13:00")]).errorName, "Invalid datetime format");
    assert.equal(rowError("CHAR_TO_TIMESTAMP", [lit("yyyy-MM-dd qq"), lit("2011-02-03")]).errorName, "Invalid datetime format");
  });

  it("24-hour HH, milliseconds, literals in quotes, zones", () => {
    assert.equal(charToTimestamp("yyyy-MM-dd HH:mm:ss.SSS", "2018-05-09 13:50:41.337"), ts("2018-05-09 13:50:41.337"));
    assert.equal(charToTimestamp("yyyy-MM-dd'T'HH:mm:ss", "2018-05-09T12:50:41"), ts("2018-05-09 12:50:41"));
    assert.equal(charToTimestamp("dd/MMM/yyyy:HH:mm:ss Z", "24/May/2004:22:01:02 -0700"), ts("2004-05-25 05:01:02"));
    assert.equal(charToTimestamp("yyyyMMddHHmmss", "20040524220102"), ts("2004-05-24 22:01:02"));
    assert.equal(charToTimestamp("h:mm a", "1:05 PM"), ts("1970-01-01 13:05:00"));
    assert.equal(charToTimestamp("EEE, d MMM yyyy", "Thu, 30 Sep 2004"), ts("2004-09-30 00:00:00"));
    assert.equal(rowError("CHAR_TO_TIMESTAMP", [lit("EEE, d MMM yyyy"), lit("Fri, 30 Sep 2004")]).errorName, "Invalid datetime format");
  });

  it("null gives null; the type is TIMESTAMP; the format is read per row when not constant", () => {
    assert.equal(call("CHAR_TO_TIMESTAMP", [lit("yyyy"), varcharArg(null)]), null);
    assert.deepEqual(resolve("CHAR_TO_TIMESTAMP", [lit("yyyy"), lit("2000")]).type, { name: "TIMESTAMP", precision: 3 });
    assert.equal(call("CHAR_TO_TIMESTAMP", [varcharArg("yyyy/MM"), lit("2000/02")]), ts("2000-02-01 00:00:00"));
  });
});

describe("CHAR_TO_DATE and CHAR_TO_TIME", () => {
  it("keep the date or the time of day", () => {
    assert.equal(call("CHAR_TO_DATE", [lit("yyyy-MM-dd HH:mm"), lit("2009-09-16 03:15")]), ts("2009-09-16 00:00:00"));
    assert.equal(call("CHAR_TO_TIME", [lit("yyyy-MM-dd HH:mm"), lit("2009-09-16 03:15")]), (3 * 60 + 15) * 60_000);
    assert.deepEqual(resolve("CHAR_TO_DATE", [lit("y"), lit("1")]).type, { name: "DATE" });
    assert.deepEqual(resolve("CHAR_TO_TIME", [lit("y"), lit("1")]).type, { name: "TIME", precision: 0 });
  });
});

describe("TIMESTAMP_TO_CHAR, DATE_TO_CHAR, TIME_TO_CHAR", () => {
  it("format with the reference's pattern letters", () => {
    const at = timestampArg("2018-05-09 12:50:41.337");
    assert.equal(call("TIMESTAMP_TO_CHAR", [lit("yyyy-MM-dd hh:mm:ss"), at]), "2018-05-09 12:50:41");
    assert.equal(call("TIMESTAMP_TO_CHAR", [lit("yyyy-MM-dd HH:mm:ss.SSS"), timestampArg("2018-05-09 13:05:01.007")]), "2018-05-09 13:05:01.007");
    assert.equal(call("TIMESTAMP_TO_CHAR", [lit("hh 'o''clock' a, zzzz"), timestampArg("2001-07-04 12:08:56")]), "12 o'clock PM, Coordinated Universal Time");
    assert.equal(call("TIMESTAMP_TO_CHAR", [lit("EEE, MMM d, ''yy"), timestampArg("2001-07-04 12:08:56")]), "Wed, Jul 4, '01");
    assert.equal(call("TIMESTAMP_TO_CHAR", [lit("yyyyy.MMMMM.dd GGG hh:mm aaa"), timestampArg("2001-07-04 12:08:56")]), "02001.July.04 AD 12:08 PM");
    assert.equal(call("TIMESTAMP_TO_CHAR", [lit("EEE, d MMM yyyy HH:mm:ss Z"), timestampArg("2001-07-04 12:08:56")]), "Wed, 4 Jul 2001 12:08:56 +0000");
    assert.equal(call("TIMESTAMP_TO_CHAR", [lit("K:mm a, z"), timestampArg("2001-07-04 12:08:56")]), "0:08 PM, UTC");
    assert.equal(call("TIMESTAMP_TO_CHAR", [lit("D w W F u k"), timestampArg("2001-07-04 00:08:56")]), "185 27 1 1 3 24");
  });

  it("a null timestamp gives the string 'null' (the reference's note)", () => {
    assert.equal(call("TIMESTAMP_TO_CHAR", [lit("yyyy"), timestampArg(null)]), "null");
    assert.equal(call("DATE_TO_CHAR", [lit("yyyy"), arg("DATE", null)]), null);
  });

  it("dates and times", () => {
    assert.equal(call("DATE_TO_CHAR", [lit("dd/MM/yyyy"), arg("DATE", ts("2008-08-23 00:00:00"))]), "23/08/2008");
    assert.equal(call("TIME_TO_CHAR", [lit("HH:mm:ss"), arg("TIME", (20 * 3600 + 52 * 60 + 5) * 1000)]), "20:52:05");
    assert.match(resolveError("TIME_TO_CHAR", [lit("HH"), timestampArg(null)])!, /^Cannot apply 'TIME_TO_CHAR'/);
  });

  it("a bad pattern is a row error", () => {
    assert.equal(rowError("TIMESTAMP_TO_CHAR", [lit("yyyy-qq"), timestampArg("2001-07-04 12:08:56")]).errorName, "Invalid datetime format");
  });
});

describe("TO_TIMESTAMP and UNIX_TIMESTAMP", () => {
  it("convert between TIMESTAMP and milliseconds since the epoch", () => {
    assert.equal(call("TO_TIMESTAMP", [arg("BIGINT", 1525870241337)]), ts("2018-05-09 12:50:41.337"));
    assert.equal(call("UNIX_TIMESTAMP", [timestampArg("2018-05-09 12:50:41.337")]), 1525870241337);
    assert.deepEqual(resolve("UNIX_TIMESTAMP", [timestampArg(null)]).type, { name: "BIGINT" });
    assert.equal(call("TO_TIMESTAMP", [arg("BIGINT", null)]), null);
  });
});

describe("EXTRACT", () => {
  const interval = intervalArg(dayInterval(((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000 + 678));

  it("the reference's examples", () => {
    assert.equal(call("EXTRACT", [symbol("DAY"), interval]), 2);
    assert.equal(call("EXTRACT", [symbol("HOUR"), interval]), 3);
    assert.equal(call("EXTRACT", [symbol("MINUTE"), interval]), 4);
    assert.equal(call("EXTRACT", [symbol("SECOND"), interval]), 5.678);
    const rowTimestamp = timestampArg("2016-09-23 04:29:26.234");
    assert.equal(call("EXTRACT", [symbol("MINUTE"), rowTimestamp]), 29);
    assert.equal(call("EXTRACT", [symbol("HOUR"), rowTimestamp]), 4);
    assert.equal(call("EXTRACT", [symbol("SECOND"), rowTimestamp]), 26.234);
  });

  it("BIGINT for every field but SECOND, which is DECIMAL(5,3)", () => {
    assert.deepEqual(resolve("EXTRACT", [symbol("YEAR"), timestampArg(null)]).type, { name: "BIGINT" });
    assert.deepEqual(resolve("EXTRACT", [symbol("SECOND"), timestampArg(null)]).type, { name: "DECIMAL", precision: 5, scale: 3 });
  });

  it("dates, times, year-month intervals, negatives, nulls, unsupported fields", () => {
    assert.equal(call("EXTRACT", [symbol("YEAR"), arg("DATE", ts("2008-08-27 00:00:00"))]), 2008);
    assert.equal(call("EXTRACT", [symbol("MONTH"), arg("DATE", ts("2008-08-27 00:00:00"))]), 8);
    assert.equal(call("EXTRACT", [symbol("HOUR"), arg("TIME", 20 * 3_600_000)]), 20);
    assert.equal(call("EXTRACT", [symbol("YEAR"), intervalArg(monthInterval(-14))]), -1);
    assert.equal(call("EXTRACT", [symbol("MONTH"), intervalArg(monthInterval(-14))]), -2);
    assert.equal(call("EXTRACT", [symbol("HOUR"), intervalArg(dayInterval(-(3 * 24 + 4) * 3_600_000))]), -4);
    assert.equal(call("EXTRACT", [symbol("DAY"), timestampArg(null)]), null);
    assert.match(resolveError("EXTRACT", [symbol("HOUR"), arg("DATE", 0)])!, /Cannot extract HOUR from DATE/);
    assert.match(resolveError("EXTRACT", [symbol("YEAR"), intervalArg(dayInterval(1))])!, /Cannot extract YEAR from INTERVAL_DAY_TIME/);
  });

  it("the developer guide's EXTRACT(SECOND FROM EVENT_TIME)", () => {
    assert.equal(call("EXTRACT", [symbol("SECOND"), timestampArg("2018-05-09 12:50:41.337")]), 41.337);
  });
});

describe("TSDIFF", () => {
  it("milliseconds from startTime to endTime; null gives null", () => {
    assert.equal(call("TSDIFF", [timestampArg("2016-09-23 04:29:26.234"), timestampArg("2016-09-23 04:30:26.000")]), 59_766);
    assert.equal(call("TSDIFF", [arg("BIGINT", 1000), arg("BIGINT", 250)]), -750);
    assert.equal(call("TSDIFF", [timestampArg(null), timestampArg("2016-09-23 04:30:26.000")]), null);
  });
});

describe("CURRENT_ROW_TIMESTAMP and the query-start clocks", () => {
  it("CURRENT_ROW_TIMESTAMP is the wall clock of each row", () => {
    const implementation = resolve("CURRENT_ROW_TIMESTAMP", []);
    assert.equal(run(implementation, [], { rowtimeMs: 0, nowMs: 1000 }), 1000);
    assert.equal(run(implementation, [], { rowtimeMs: 0, nowMs: 2000 }), 2000);
  });

  it("LOCALTIMESTAMP and CURRENT_* keep the time the query first executed", () => {
    const now = ts("2008-08-27 20:52:05.250");
    const later = { rowtimeMs: 0, nowMs: now + 90_000_000 };
    assert.equal(run(resolve("LOCALTIMESTAMP", []), [], { ...later, queryStartMs: now }), now);
    assert.equal(run(resolve("CURRENT_TIMESTAMP", []), [], { ...later, queryStartMs: now }), now);
    assert.equal(run(resolve("CURRENT_DATE", []), [], { ...later, queryStartMs: now }), ts("2008-08-27 00:00:00"));
    assert.equal(run(resolve("CURRENT_TIME", []), [], { ...later, queryStartMs: now }), (20 * 3600 + 52 * 60 + 5) * 1000 + 250);
    assert.equal(run(resolve("LOCALTIME", []), [], { ...later, queryStartMs: now }), (20 * 3600 + 52 * 60 + 5) * 1000 + 250);
    // Without a start time, the first evaluation's clock is kept.
    const local = resolve("LOCALTIMESTAMP", []);
    assert.equal(run(local, [], { rowtimeMs: 0, nowMs: now }), now);
    assert.equal(run(local, [], later), now);
    assert.deepEqual(local.type, { name: "TIMESTAMP", precision: 3, nullable: false });
    assert.equal(run(resolve("CURRENT_ROW_TIMESTAMP", []), [], context), context.nowMs);
  });
});
