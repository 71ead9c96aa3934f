/**
 * The credentials file never shows a secret: a file that is not JSON is reported by line and
 * column (V8's JSON.parse message would quote the text around the error, a secret or a token),
 * and a secret, token or key id outside printable ASCII is refused by entry and position.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CredentialsFile, parseCredentialsFile } from "../../src/auth/credentials-file.js";
import { findJsonSyntaxError } from "../../src/auth/json-syntax.js";
import { ManualClock } from "../../src/util/clock.js";
import { silentLogger, type Logger } from "../../src/util/logger.js";

const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETKEY";
const token = "FwoGZXIvYXdzQ8kz3R7mPq2Lx9Wc0Tn4Bv6Hj1Ds5Gf";

function entry(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accessKeyId: "AKIDALICE00000000001",
    secretAccessKey: secret,
    sessionToken: token,
    accountId: "111122223333",
    principalArn: "arn:aws:iam::111122223333:user/alice",
    policies: [],
    ...fields,
  };
}

function problemOf(text: string): string {
  const parsed = parseCredentialsFile(text);
  assert.equal(parsed.ok, false, "the file was accepted");
  return (parsed as { message: string }).message;
}

/** No run of 4 or more characters of the secret or the token appears in `message`. */
function assertNoSecret(message: string): void {
  for (const value of [secret, token]) {
    for (let start = 0; start + 4 <= value.length; start++) {
      const piece = value.slice(start, start + 4);
      assert.ok(!message.includes(piece), `the message shows ${JSON.stringify(piece)} of a credential: ${message}`);
    }
  }
}

describe("auth > credentials file > syntax errors", () => {
  const valid = JSON.stringify({ credentials: [entry()] }, null, 2);
  const cases: [string, string, string][] = [
    // [what, broken text, expected message]
    ["a missing comma after the secret", valid.replace(`"${secret}",`, `"${secret}"`), "not JSON: expected ',' or '}' at line 6, column 7"],
    ["an unquoted value", valid.replace(`"${secret}"`, secret), "not JSON: expected a value (a string in double quotes, a number, true, false, null, an object or an array) at line 5, column 26"],
    ["an unterminated token", `{"credentials": [{"sessionToken": "${token}`, "not JSON: a string is not terminated at line 1, column 35"],
    ["a raw line break in the token", valid.replace(token, token.slice(0, 10) + "\n" + token.slice(10)), "not JSON: a control character (a line break or tab, for example) inside a string must be escaped at line 6, column 34"],
    ["a trailing comma", valid.replace(`"policies": []`, `"policies": [],`), "not JSON: expected a member name in double quotes at line 10, column 5"],
    ["a bad escape in the secret", valid.replace(secret, secret.slice(0, 8) + "\\x" + secret.slice(8)), "not JSON: an invalid escape sequence in a string at line 5, column 35"],
    ["an unclosed document", valid.slice(0, valid.length - 4), "not JSON: unexpected end of the document: 2 unclosed brackets at line 11, column 2"],
    ["text after the document", valid + ` "${secret}"`, "not JSON: unexpected text after the end of the document at line 12, column 3"],
    ["an empty file", "  \n", "not JSON: the document is empty at line 2, column 1"],
  ];
  for (const [what, text, expected] of cases) {
    it(`auth > credentials file > syntax errors > ${what}: line and column, no content`, () => {
      assert.throws(() => JSON.parse(text));
      const message = problemOf(text);
      assert.equal(message, expected);
      assertNoSecret(message);
    });
  }

  it("auth > credentials file > syntax errors > the scanner agrees with JSON.parse on valid documents, deep nesting included", () => {
    for (const text of [valid, "1", '"x"', "[]", "{}", '{"a":[1,-2.5e+3,true,false,null,{"b":"\\u00e9\\n"}]}', "[".repeat(100_000) + "]".repeat(100_000)]) {
      JSON.parse(text);
      assert.equal(findJsonSyntaxError(text), undefined, text.slice(0, 40));
    }
    assert.deepEqual(findJsonSyntaxError("[".repeat(100_000)), { line: 1, column: 100_001, problem: "unexpected end of the document: 100000 unclosed brackets" });
  });

  it("auth > credentials file > syntax errors > neither the start error nor the reload log shows the secret", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tributary-credentials-"));
    try {
      const path = join(dir, "credentials.json");
      const broken = valid.replace(`"${secret}",`, `"${secret}"`);
      await writeFile(path, broken);
      const clock = new ManualClock(0);
      await assert.rejects(CredentialsFile.open({ path, clock, logger: silentLogger }), (error: Error) => {
        assert.equal(error.message, `invalid credentials file ${path}: not JSON: expected ',' or '}' at line 6, column 7`);
        assertNoSecret(error.message);
        return true;
      });
      await writeFile(path, valid);
      const logged: unknown[] = [];
      const logger = {
        info() {},
        warn() {},
        debug() {},
        error(fields: unknown, message: string) {
          logged.push({ fields, message });
        },
        child: () => logger,
      } as unknown as Logger;
      const file = await CredentialsFile.open({ path, clock, logger, checkIntervalMs: 10 });
      try {
        // Replaced in one step (written beside it, then renamed): a write in place can be seen
        // half done by the file's watch, an empty file and then the broken one, two failures logged.
        await writeFile(`${path}.next`, broken + " ");
        await rename(`${path}.next`, path);
        clock.advance(20);
        assert.ok(await file.lookup("AKIDALICE00000000001"), "the credentials loaded before stay in use");
        assert.equal(logged.length, 1);
        assertNoSecret(JSON.stringify(logged));
        assert.match(JSON.stringify(logged), /not JSON: expected ',' or '}' at line 6, column 7/);
      } finally {
        file.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("auth > credentials file > printable ASCII", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["a typographic ellipsis in the token", { sessionToken: "FwoGZXIvYXdzEXAMPLE…" }, "credentials[0]: sessionToken of AKIDALICE00000000001 must be printable ASCII without spaces, as AWS's are (character 20 is U+2026)"],
    ["a no-break space in the secret", { secretAccessKey: "abc\u00a0def" }, "credentials[0]: secretAccessKey of AKIDALICE00000000001 must be printable ASCII without spaces, as AWS's are (character 4 is U+00A0)"],
    ["a space in the secret", { secretAccessKey: "abc def" }, "credentials[0]: secretAccessKey of AKIDALICE00000000001 must be printable ASCII without spaces, as AWS's are (character 4 is U+0020)"],
    ["an emoji in the token", { sessionToken: "ab\u{1F511}" }, "credentials[0]: sessionToken of AKIDALICE00000000001 must be printable ASCII without spaces, as AWS's are (character 3 is U+1F511)"],
    ["an accented key id", { accessKeyId: "AKIDÉ" }, "credentials[0]: accessKeyId must be 1 to 128 ASCII letters, digits or underscores (character 5 is U+00C9)"],
  ];
  for (const [what, fields, expected] of cases) {
    it(`auth > credentials file > printable ASCII > ${what} is refused, naming the entry`, () => {
      const message = problemOf(JSON.stringify({ credentials: [entry(fields)] }));
      assert.equal(message, expected);
      assertNoSecret(message);
    });
  }

  it("auth > credentials file > printable ASCII > the docs' example file loads verbatim", async () => {
    const doc = await readFile(new URL("../../docs/auth.md", import.meta.url), "utf8");
    const section = doc.slice(doc.indexOf("## The credentials file"));
    const block = /```json\n([\s\S]*?)```/.exec(section);
    assert.ok(block, "docs/auth.md has a json example of the credentials file");
    const parsed = parseCredentialsFile(block[1]!);
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.message);
    assert.equal(parsed.entries.size, 2);
    assert.ok(parsed.entries.get("ASIAIOSFODNN7EXAMPLE")?.sessionToken);
  });
});
