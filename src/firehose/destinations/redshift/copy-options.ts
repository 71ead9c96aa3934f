/**
 * Redshift's COPY options, as Firehose passes CopyCommand.CopyOptions after `COPY table (cols) FROM
 * 's3://…' CREDENTIALS … MANIFEST`, parsed into what the PostgreSQL load does with them. Grammar
 * (case-insensitive words, single-quoted strings with '' or \' inside, optional AS):
 *
 *   FORMAT [AS] JSON 'auto' | 'auto ignorecase' | 's3://bucket/jsonpaths'   (also JSON … alone)
 *   FORMAT [AS] CSV [QUOTE [AS] 'c']   (also CSV alone)   DELIMITER [AS] 'c'   GZIP
 *   TIMEFORMAT [AS] 'auto' | 'epochsecs' | 'epochmillisecs' | 'YYYY-MM-DD HH:MI:SS'
 *   DATEFORMAT [AS] 'auto' | 'YYYY-MM-DD'   IGNOREHEADER [AS] n   NULL [AS] 'text'
 *   BLANKSASNULL  EMPTYASNULL  TRUNCATECOLUMNS  TRIMBLANKS  ACCEPTINVCHARS [[AS] 'c']  ACCEPTANYDATE
 *   ENCODING [AS] UTF8   and Redshift's load tuning, which has no meaning on PostgreSQL and is
 *   accepted and ignored: COMPUPDATE/STATUPDATE [ON|OFF|TRUE|FALSE], MAXERROR [AS] 0, REGION 'r',
 *   MANIFEST, EXPLICIT_IDS, ROUNDEC, FILLRECORD (applied: missing trailing columns become NULL).
 *
 * Anything else (FIXEDWIDTH, AVRO, PARQUET, ORC, BZIP2, LZOP, ZSTD, ESCAPE, REMOVEQUOTES, other time
 * formats, MAXERROR > 0…) is refused with a message that names it: at Create when the options are
 * checked, and again at delivery.
 */

export type DataFormat =
  | { kind: "delimited"; delimiter: string }
  | { kind: "csv"; delimiter: string; quote: string }
  | { kind: "json"; mode: "auto" | "auto ignorecase" }
  | { kind: "jsonpaths"; url: string };

export interface CopyPlan {
  format: DataFormat;
  gzip: boolean;
  timeFormat: "auto" | "epochsecs" | "epochmillisecs";
  dateFormat: "auto";
  ignoreHeaderLines: number;
  nullAs: string | undefined;
  blanksAsNull: boolean;
  emptyAsNull: boolean;
  truncateColumns: boolean;
  trimBlanks: boolean;
  acceptInvalidCharsAs: string | undefined;
  fillRecord: boolean;
}

export type ParsedCopyOptions = { ok: true; plan: CopyPlan } | { ok: false; message: string };

type Token = { kind: "word"; text: string } | { kind: "string"; text: string };

function tokenize(options: string): Token[] | string {
  const tokens: Token[] = [];
  let at = 0;
  while (at < options.length) {
    const char = options[at]!;
    if (/\s|,/.test(char)) {
      at += 1;
    } else if (char === "'") {
      let text = "";
      at += 1;
      for (;;) {
        if (at >= options.length) return "an unterminated quoted string";
        const next = options[at]!;
        if (next === "\\" && at + 1 < options.length) {
          text += options[at + 1]!;
          at += 2;
        } else if (next === "'" && options[at + 1] === "'") {
          text += "'";
          at += 2;
        } else if (next === "'") {
          at += 1;
          break;
        } else {
          text += next;
          at += 1;
        }
      }
      tokens.push({ kind: "string", text });
    } else {
      const match = /^[^\s',]+/.exec(options.slice(at))!;
      tokens.push({ kind: "word", text: match[0].toUpperCase() });
      at += match[0].length;
    }
  }
  return tokens;
}

const ignoredSwitches = new Set(["MANIFEST", "EXPLICIT_IDS", "ROUNDEC", "ACCEPTANYDATE", "NOLOAD"]);
const unsupportedWords = new Set(["FIXEDWIDTH", "AVRO", "PARQUET", "ORC", "SHAPEFILE", "BZIP2", "LZOP", "ZSTD", "ESCAPE", "REMOVEQUOTES", "SIMPLIFY", "READRATIO", "IGNOREBLANKLINES", "IGNOREALLERRORS", "SERIALIZETOJSON"]);

function unsupported(what: string): ParsedCopyOptions {
  return { ok: false, message: `The COPY option ${what} is not supported by this Redshift destination (it loads into PostgreSQL). Supported: JSON 'auto' | 'auto ignorecase' | 's3://…jsonpaths', CSV [QUOTE], DELIMITER, GZIP, TIMEFORMAT 'auto' | 'epochsecs' | 'epochmillisecs', DATEFORMAT 'auto', IGNOREHEADER, NULL AS, BLANKSASNULL, EMPTYASNULL, TRUNCATECOLUMNS, TRIMBLANKS, ACCEPTINVCHARS, FILLRECORD.` };
}

export function parseCopyOptions(options: string | undefined): ParsedCopyOptions {
  const tokens = tokenize(options ?? "");
  if (typeof tokens === "string") return { ok: false, message: `The COPY options could not be read: ${tokens}.` };
  const plan: CopyPlan = {
    format: { kind: "delimited", delimiter: "|" },
    gzip: false,
    timeFormat: "auto",
    dateFormat: "auto",
    ignoreHeaderLines: 0,
    nullAs: undefined,
    blanksAsNull: false,
    emptyAsNull: false,
    truncateColumns: false,
    trimBlanks: false,
    acceptInvalidCharsAs: undefined,
    fillRecord: false,
  };
  let delimiter: string | undefined;
  let quote: string | undefined;
  let at = 0;
  const peekWord = (word: string): boolean => tokens[at]?.kind === "word" && tokens[at]!.text === word;
  const skipAs = (): void => {
    if (peekWord("AS")) at += 1;
  };
  const takeString = (): string | undefined => {
    skipAs();
    const token = tokens[at];
    if (token?.kind !== "string") return undefined;
    at += 1;
    return token.text;
  };
  const takeWordOrString = (): string | undefined => {
    skipAs();
    const token = tokens[at];
    if (token === undefined) return undefined;
    at += 1;
    return token.text;
  };
  while (at < tokens.length) {
    const token = tokens[at]!;
    at += 1;
    if (token.kind === "string") return { ok: false, message: `The COPY options have an unexpected quoted string '${token.text}'.` };
    const word = token.text;
    if (word === "FORMAT") {
      skipAs();
      continue;
    }
    if (word === "JSON") {
      const argument = takeString();
      if (argument === undefined || argument.toLowerCase() === "auto") plan.format = { kind: "json", mode: "auto" };
      else if (argument.toLowerCase() === "auto ignorecase") plan.format = { kind: "json", mode: "auto ignorecase" };
      else if (argument.startsWith("s3://")) plan.format = { kind: "jsonpaths", url: argument };
      else return unsupported(`JSON '${argument}'`);
    } else if (word === "CSV") {
      plan.format = { kind: "csv", delimiter: ",", quote: '"' };
    } else if (word === "QUOTE") {
      quote = takeString();
      if (quote === undefined || quote.length !== 1) return { ok: false, message: "QUOTE takes one character in quotes." };
    } else if (word === "DELIMITER") {
      delimiter = takeString();
      if (delimiter === undefined || delimiter.length !== 1) return unsupported(delimiter === undefined ? "DELIMITER without a quoted character" : `DELIMITER '${delimiter}' (one character only)`);
    } else if (word === "GZIP") {
      plan.gzip = true;
    } else if (word === "TIMEFORMAT") {
      const format = takeString();
      if (format === "auto" || format === "epochsecs" || format === "epochmillisecs") plan.timeFormat = format;
      else if (format !== "YYYY-MM-DD HH:MI:SS") return unsupported(`TIMEFORMAT '${format ?? ""}'`);
    } else if (word === "DATEFORMAT") {
      const format = takeString();
      if (format !== "auto" && format !== "YYYY-MM-DD") return unsupported(`DATEFORMAT '${format ?? ""}'`);
    } else if (word === "IGNOREHEADER") {
      const count = Number(takeWordOrString());
      if (!Number.isInteger(count) || count < 0) return { ok: false, message: "IGNOREHEADER takes a number of lines." };
      plan.ignoreHeaderLines = count;
    } else if (word === "NULL") {
      const text = takeString();
      if (text === undefined) return { ok: false, message: "NULL AS takes a quoted string." };
      plan.nullAs = text;
    } else if (word === "BLANKSASNULL") plan.blanksAsNull = true;
    else if (word === "EMPTYASNULL") plan.emptyAsNull = true;
    else if (word === "TRUNCATECOLUMNS") plan.truncateColumns = true;
    else if (word === "TRIMBLANKS") plan.trimBlanks = true;
    else if (word === "FILLRECORD") plan.fillRecord = true;
    else if (word === "ACCEPTINVCHARS") {
      const replacement = tokens[at]?.kind === "string" || peekWord("AS") ? takeString() : "?";
      plan.acceptInvalidCharsAs = replacement ?? "?";
    } else if (word === "ENCODING") {
      const encoding = takeWordOrString();
      if (encoding?.toUpperCase() !== "UTF8") return unsupported(`ENCODING ${encoding ?? ""}`);
    } else if (word === "COMPUPDATE" || word === "STATUPDATE") {
      if (["ON", "OFF", "TRUE", "FALSE", "PRESET"].includes(tokens[at]?.text.toUpperCase() ?? "")) at += 1;
    } else if (word === "MAXERROR") {
      const count = Number(takeWordOrString());
      if (count !== 0) return unsupported(`MAXERROR ${count}`);
    } else if (word === "REGION") {
      takeString();
    } else if (ignoredSwitches.has(word)) {
      continue;
    } else if (unsupportedWords.has(word)) {
      return unsupported(word);
    } else {
      return unsupported(word);
    }
  }
  if (plan.format.kind === "csv") plan.format = { kind: "csv", delimiter: delimiter ?? ",", quote: quote ?? '"' };
  else if (plan.format.kind === "delimited") plan.format = { kind: "delimited", delimiter: delimiter ?? "|" };
  else if (delimiter !== undefined) return { ok: false, message: "DELIMITER cannot be used with JSON." };
  return { ok: true, plan };
}
