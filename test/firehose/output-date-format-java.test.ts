import { it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatDate } from "../../src/firehose/output/index.js";

/**
 * `!{timestamp:…}` against the JVM's own java.time.format.DateTimeFormatter (Firehose evaluates
 * prefixes with it): every pattern at every instant must print the same, and the patterns Java
 * refuses must be refused. Runs where a JDK (11+, single-file launch) is installed.
 */
const java = spawnSync("java", ["-version"]).status === 0;
const source = `
import java.time.*; import java.time.format.*; import java.util.*;
public class Fmt { public static void main(String[] a) throws Exception {
  java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, "UTF-8"));
  String[] instants = r.readLine().split(",");
  String line;
  while ((line = r.readLine()) != null) {
    for (String ms : instants) {
      ZonedDateTime t = Instant.ofEpochMilli(Long.parseLong(ms)).atZone(ZoneOffset.UTC);
      try { System.out.println("ok\\t" + DateTimeFormatter.ofPattern(line, Locale.US).format(t)); }
      catch (IllegalArgumentException e) { System.out.println("error"); }
    }
  }
}}`;

const patterns = [
  "yyyy/MM/dd/HH/", "yyyy'-'MM'-'dd", "'year='yyyy'/month='MM'/day='dd'/hour='HH", "yy y yyy yyyy uuuu u",
  "M MM MMM MMMM MMMMM L LL", "d dd D DD DDD", "E EE EEE EEEE EEEEE", "e ee eee eeee c", "a h hh K KK k kk H HH",
  "m mm s ss", "S SS SSS SSSS SSSSSS SSSSSSSSS", "Q QQ QQQ QQQQ QQQQQ q", "A n N", "w ww W Y YY YYYY F",
  "G GG GGGG GGGGG", "X XX XXX x xx xxx xxxx Z ZZ ZZZ ZZZZ ZZZZZ O OOOO", "'it''s' 'o''clock' ''", "[yyyy][MM]/",
  "yyyy-MM-dd'T'HH:mm:ss.SSS", "HH:mm", "ppH", "dd/MM/yyyy - hh:mm a",
  "yyyy{", "ddd", "b", "'open", "HHH", "yyyy]", "VVV", "OO", "#", "SSSSSSSSSS", "WW", "FF",
];
const instants = [
  Date.UTC(2018, 7, 27, 10, 30, 5, 123), Date.UTC(2020, 11, 31, 23, 59, 59, 999), Date.UTC(2021, 0, 1, 0, 0, 0, 7),
  Date.UTC(2016, 1, 29, 12, 0, 0, 0), Date.UTC(2024, 11, 29, 0, 0, 0, 0), Date.UTC(2027, 0, 2, 13, 5, 0, 50), Date.UTC(1999, 11, 26, 7, 7, 7, 70),
];

it("firehose > output > timestamp patterns print as java.time.format.DateTimeFormatter does", { skip: java ? false : "no JDK on this machine" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "firehose-java-"));
  try {
    writeFileSync(join(dir, "Fmt.java"), source);
    const run = spawnSync("java", [join(dir, "Fmt.java")], { input: instants.join(",") + "\n" + patterns.join("\n") + "\n", encoding: "utf8", timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split("\n");
    assert.equal(lines.length, patterns.length * instants.length);
    let at = 0;
    for (const pattern of patterns) {
      for (const instant of instants) {
        const expected = lines[at++]!;
        let actual: string;
        try {
          actual = "ok\t" + formatDate(pattern, instant);
        } catch {
          actual = "error";
        }
        assert.equal(actual, expected, `${pattern} at ${new Date(instant).toISOString()}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
