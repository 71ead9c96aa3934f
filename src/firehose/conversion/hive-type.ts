/**
 * Hive type strings as Glue columns carry them, parsed into a tree:
 *   type      := primitive | "array<" type ">" | "map<" type "," type ">" | "struct<" field ("," field)* ">"
 *               | "decimal" ["(" p ["," s] ")"] | ("char" | "varchar") "(" n ")"
 *   field     := name ":" type
 *   primitive := string | int | integer | bigint | smallint | tinyint | double | float | boolean | timestamp | date | binary
 * Case-insensitive; spaces are allowed between tokens. `decimal` alone is decimal(10,0), Hive's default.
 */

export type HiveType =
  | { kind: "string" }
  | { kind: "int" | "bigint" | "smallint" | "tinyint" | "double" | "float" | "boolean" | "timestamp" | "date" | "binary" }
  | { kind: "decimal"; precision: number; scale: number }
  | { kind: "array"; element: HiveType }
  | { kind: "map"; key: HiveType; value: HiveType }
  | { kind: "struct"; fields: readonly { name: string; type: HiveType }[] };

const primitives: Record<string, HiveType> = {
  string: { kind: "string" },
  int: { kind: "int" },
  integer: { kind: "int" },
  bigint: { kind: "bigint" },
  smallint: { kind: "smallint" },
  tinyint: { kind: "tinyint" },
  double: { kind: "double" },
  float: { kind: "float" },
  boolean: { kind: "boolean" },
  timestamp: { kind: "timestamp" },
  date: { kind: "date" },
  binary: { kind: "binary" },
};

/** Hive's bound on a decimal's precision. */
const decimalPrecisionMax = 38;

export class HiveTypeError extends Error {}

export function parseHiveType(text: string): HiveType {
  const parser = new Parser(text);
  const type = parser.type();
  parser.skipSpaces();
  if (!parser.atEnd()) throw new HiveTypeError(`unexpected '${text.slice(parser.position)}' in type ${text}`);
  return type;
}

class Parser {
  position = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  skipSpaces(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.position]!)) this.position++;
  }

  word(): string {
    this.skipSpaces();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.position));
    if (match === null) throw new HiveTypeError(`a type name expected at ${this.position} in ${this.text}`);
    this.position += match[0].length;
    return match[0];
  }

  /** A struct field name: anything up to the colon (Glue allows names Hive would quote). */
  fieldName(): string {
    this.skipSpaces();
    const end = this.text.indexOf(":", this.position);
    if (end < 0) throw new HiveTypeError(`':' expected after a field name in ${this.text}`);
    const name = this.text.slice(this.position, end).trim().replace(/^`|`$/g, "");
    if (name === "") throw new HiveTypeError(`empty field name in ${this.text}`);
    this.position = end;
    return name;
  }

  expect(char: string): void {
    this.skipSpaces();
    if (this.text[this.position] !== char) throw new HiveTypeError(`'${char}' expected at ${this.position} in ${this.text}`);
    this.position++;
  }

  peek(char: string): boolean {
    this.skipSpaces();
    return this.text[this.position] === char;
  }

  number(): number {
    this.skipSpaces();
    const match = /^\d+/.exec(this.text.slice(this.position));
    if (match === null) throw new HiveTypeError(`a number expected at ${this.position} in ${this.text}`);
    this.position += match[0].length;
    return Number(match[0]);
  }

  type(): HiveType {
    const name = this.word().toLowerCase();
    switch (name) {
      case "array": {
        this.expect("<");
        const element = this.type();
        this.expect(">");
        return { kind: "array", element };
      }
      case "map": {
        this.expect("<");
        const key = this.type();
        this.expect(",");
        const value = this.type();
        this.expect(">");
        return { kind: "map", key, value };
      }
      case "struct": {
        this.expect("<");
        const fields: { name: string; type: HiveType }[] = [];
        do {
          const fieldName = this.fieldName();
          this.expect(":");
          fields.push({ name: fieldName, type: this.type() });
        } while (this.peek(",") && (this.expect(","), true));
        this.expect(">");
        return { kind: "struct", fields };
      }
      case "decimal": {
        let precision = 10;
        let scale = 0;
        if (this.peek("(")) {
          this.expect("(");
          precision = this.number();
          if (this.peek(",")) {
            this.expect(",");
            scale = this.number();
          }
          this.expect(")");
        }
        if (precision < 1 || precision > decimalPrecisionMax || scale > precision) throw new HiveTypeError(`decimal(${precision},${scale}) is out of range`);
        return { kind: "decimal", precision, scale };
      }
      case "char":
      case "varchar": {
        this.expect("(");
        this.number();
        this.expect(")");
        return { kind: "string" };
      }
      default: {
        const primitive = primitives[name];
        if (primitive === undefined) throw new HiveTypeError(`unsupported type ${name}`);
        return primitive;
      }
    }
  }
}
