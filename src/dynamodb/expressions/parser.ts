/**
 * Recursive-descent parsers for DynamoDB's expressions, sharing one context per request so that
 * ExpressionAttributeNames and ExpressionAttributeValues left unused by every expression can be
 * reported. Grammar (keywords case-insensitive, function names not):
 *
 *   condition  := or ;  or := and (OR and)* ;  and := not (AND not)* ;  not := NOT not | primary
 *   primary    := "(" condition ")" | function "(" operand ("," operand)* ")"
 *               | operand comparator operand | operand BETWEEN operand AND operand
 *               | operand IN "(" operand ("," operand)* ")"
 *   operand    := path | :value | size "(" path ")"
 *   path       := (name | #name) ("." (name | #name) | "[" index "]")*
 *   update     := (SET set ("," set)* | REMOVE path ("," path)* | ADD path :value ("," …)* | DELETE path :value ("," …)*)+
 *   set        := path "=" value ;  value := term (("+" | "-") term)?
 *   term       := operand | if_not_exists "(" path "," value ")" | list_append "(" value "," value ")"
 *   projection := path ("," path)*
 *
 * Semantic errors are collected and the first by AWS's precedence (as dynalite records it:
 * unknown function, misused function, reserved word, then undefined placeholders, operand counts
 * and types) is reported after a successful parse; a syntax error is reported at once.
 */
import { attributeTypes, compareScalars, typeOf, type AttributeValue } from "../attribute-value.js";
import type { Comparator, Condition, ConditionFunction, DocumentPath, Operand, UpdateAction, UpdateValue } from "./ast.js";
import { pathText } from "./ast.js";
import { isReservedWord } from "./reserved-words.js";
import { ExpressionSyntaxError, syntaxError, tokenize, type Token } from "./tokenizer.js";

export interface ExpressionInputs {
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
}

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; message: string };

const functionArity: Record<string, number> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
};
const operandTypeWords: Record<string, string> = { S: "STRING", N: "NUMBER", B: "BINARY", NULL: "NULL", BOOL: "BOOLEAN", L: "LIST", M: "MAP" };
const comparators = new Set<string>(["=", "<>", "<", "<=", ">", ">="]);
const errorOrder = ["unknownFunction", "misusedFunction", "reserved", "attrNameVal", "operand", "distinct", "function"] as const;
type ErrorKind = (typeof errorOrder)[number];

/** One request's expressions: tracks which placeholders they use. */
export class ExpressionContext {
  readonly unusedNames: Set<string>;
  readonly unusedValues: Set<string>;

  constructor(readonly inputs: ExpressionInputs) {
    this.unusedNames = new Set(Object.keys(inputs.names ?? {}));
    this.unusedValues = new Set(Object.keys(inputs.values ?? {}));
  }

  condition(source: string): ParseOutcome<Condition> {
    return this.run(source, (parser) => parser.conditionExpression());
  }

  update(source: string): ParseOutcome<UpdateAction[]> {
    return this.run(source, (parser) => parser.updateExpression());
  }

  projection(source: string): ParseOutcome<DocumentPath[]> {
    return this.run(source, (parser) => parser.projectionExpression());
  }

  private run<T>(source: string, parse: (parser: Parser) => T): ParseOutcome<T> {
    if (source === "") return { ok: false, message: "The expression can not be empty;" };
    try {
      const parser = new Parser(source, this);
      const value = parse(parser);
      const message = parser.firstError();
      return message === undefined ? { ok: true, value } : { ok: false, message };
    } catch (error) {
      if (error instanceof ExpressionSyntaxError) return { ok: false, message: error.message };
      throw error;
    }
  }
}

class Parser {
  private readonly tokens: Token[];
  private at = 0;
  private readonly errors = new Map<ErrorKind, string>();

  constructor(
    private readonly source: string,
    private readonly context: ExpressionContext,
  ) {
    this.tokens = tokenize(source);
  }

  firstError(): string | undefined {
    for (const kind of errorOrder) {
      const message = this.errors.get(kind);
      if (message !== undefined) return message;
    }
    return undefined;
  }

  private note(kind: ErrorKind, message: string): void {
    if (!this.errors.has(kind)) this.errors.set(kind, message);
  }

  // ---- tokens

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.at++;
    return token;
  }

  private isPunct(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === "punct" && token.text === text;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === "name" && token.text.toUpperCase() === word;
  }

  private expectPunct(text: string): void {
    if (!this.isPunct(text)) throw this.unexpected();
    this.next();
  }

  private expectEnd(): void {
    if (this.peek().kind !== "end") throw this.unexpected();
  }

  private unexpected(): ExpressionSyntaxError {
    return syntaxError(this.source, this.tokens, this.peek());
  }

  // ---- conditions

  conditionExpression(): Condition {
    const condition = this.or();
    this.expectEnd();
    return condition;
  }

  private or(): Condition {
    let left = this.and();
    while (this.isKeyword("OR")) {
      this.next();
      left = { kind: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): Condition {
    let left = this.not();
    while (this.isKeyword("AND")) {
      this.next();
      left = { kind: "and", left, right: this.not() };
    }
    return left;
  }

  private not(): Condition {
    if (this.isKeyword("NOT")) {
      this.next();
      return { kind: "not", operand: this.not() };
    }
    return this.primary();
  }

  private primary(): Condition {
    if (this.isPunct("(")) {
      this.next();
      const inner = this.or();
      this.expectPunct(")");
      return inner;
    }
    if (this.peek().kind === "name" && this.isPunct("(", 1) && this.peek().text !== "size") {
      const name = this.next().text;
      const args = this.callArguments(name);
      this.checkFunction(name, args);
      return { kind: "function", name: name as ConditionFunction, args };
    }
    const subject = this.operand();
    if (this.peek().kind === "punct" && comparators.has(this.peek().text)) {
      const comparator = this.next().text as Comparator;
      return { kind: "compare", comparator, left: subject, right: this.operand() };
    }
    if (this.isKeyword("BETWEEN")) {
      this.next();
      const low = this.operand();
      if (!this.isKeyword("AND")) throw this.unexpected();
      this.next();
      const high = this.operand();
      this.checkBetween(low, high);
      return { kind: "between", subject, low, high };
    }
    if (this.isKeyword("IN")) {
      this.next();
      this.expectPunct("(");
      const options = [this.operand()];
      while (this.isPunct(",")) {
        this.next();
        options.push(this.operand());
      }
      this.expectPunct(")");
      return { kind: "in", subject, options };
    }
    throw this.unexpected();
  }

  private callArguments(name: string): Operand[] {
    this.expectPunct("(");
    const args = [this.operand()];
    while (this.isPunct(",")) {
      this.next();
      args.push(this.operand());
    }
    this.expectPunct(")");
    if (functionArity[name] === undefined) this.note("unknownFunction", `Invalid function name; function: ${name}`);
    return args;
  }

  private operand(): Operand {
    const token = this.peek();
    if (token.kind === "valueRef") {
      this.next();
      return { kind: "value", value: this.resolveValue(token.text) };
    }
    if (token.kind === "name" && this.isPunct("(", 1)) {
      const name = this.next().text;
      const args = this.callArguments(name);
      if (name !== "size") {
        this.note("misusedFunction", `The function is not allowed to be used this way in an expression; function: ${name}`);
        return { kind: "value", value: { NULL: true } };
      }
      this.checkFunction(name, args);
      const target = args[0]!;
      return { kind: "size", path: target.kind === "path" ? target.path : [] };
    }
    return { kind: "path", path: this.path() };
  }

  private checkFunction(name: string, args: readonly Operand[]): void {
    const arity = functionArity[name];
    if (arity === undefined) return;
    if (arity !== args.length) {
      this.note("operand", `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
      return;
    }
    const first = args[0]!;
    const second = args[1];
    if (first.kind === "path" && second?.kind === "path" && pathText(first.path) === pathText(second.path)) {
      this.note("distinct", `The first operand must be distinct from the remaining operands for this operator or function; operator: ${name}, first operand: ${pathText(first.path)}`);
    }
    const typeOfOperand = (operand: Operand | undefined) => (operand?.kind === "value" ? typeOf(operand.value) : operand?.kind === "size" ? "N" : undefined);
    const incorrect = (type: string) => this.note("function", `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${type}`);
    switch (name) {
      case "attribute_exists":
      case "attribute_not_exists":
      case "size":
        if (first.kind !== "path") {
          if (name === "size") incorrect(typeOfOperand(first) ?? "N");
          else this.note("function", `Operator or function requires a document path; operator or function: ${name}`);
        }
        return;
      case "begins_with":
        for (const arg of args) {
          const type = typeOfOperand(arg);
          if (type !== undefined && type !== "S" && type !== "B") return incorrect(type);
        }
        return;
      case "attribute_type": {
        const type = typeOfOperand(second);
        if (type !== "S") return incorrect(type ?? "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
        const named = (second as { value: { S: string } }).value.S;
        if (!attributeTypes.includes(named as never)) {
          this.note("function", `Invalid attribute type name found; type: ${named}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`);
        }
        return;
      }
    }
  }

  private checkBetween(low: Operand, high: Operand): void {
    if (low.kind !== "value" || high.kind !== "value") return;
    const describe = (value: AttributeValue) => `AttributeValue: {${typeOf(value)}:${String(Object.values(value)[0])}}`;
    const bounds = `lower bound operand: ${describe(low.value)}, upper bound operand: ${describe(high.value)}`;
    if (typeOf(low.value) !== typeOf(high.value)) {
      this.note("function", `The BETWEEN operator requires same data type for lower and upper bounds; ${bounds}`);
    } else if ((compareScalars(low.value, high.value) ?? 0) > 0) {
      this.note("function", `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ${bounds}`);
    }
  }

  // ---- paths and placeholders

  private path(): DocumentPath {
    const path: DocumentPath = [this.pathName()];
    for (;;) {
      if (this.isPunct(".")) {
        this.next();
        path.push(this.pathName());
      } else if (this.isPunct("[")) {
        this.next();
        const index = this.next();
        if (index.kind !== "index") throw syntaxError(this.source, this.tokens, index);
        this.expectPunct("]");
        path.push(Number(index.text));
      } else {
        return path;
      }
    }
  }

  private pathName(): string {
    const token = this.next();
    if (token.kind === "nameRef") {
      const name = this.context.inputs.names?.[token.text];
      if (name === undefined) {
        this.note("attrNameVal", `An expression attribute name used in the document path is not defined; attribute name: ${token.text}`);
        return token.text;
      }
      this.context.unusedNames.delete(token.text);
      return name;
    }
    if (token.kind !== "name") throw syntaxError(this.source, this.tokens, token);
    if (isReservedWord(token.text)) this.note("reserved", `Attribute name is a reserved keyword; reserved keyword: ${token.text}`);
    return token.text;
  }

  private resolveValue(reference: string): AttributeValue {
    const value = this.context.inputs.values?.[reference];
    if (value === undefined) {
      this.note("attrNameVal", `An expression attribute value used in expression is not defined; attribute value: ${reference}`);
      return { NULL: true };
    }
    this.context.unusedValues.delete(reference);
    return value;
  }

  // ---- updates

  updateExpression(): UpdateAction[] {
    const actions: UpdateAction[] = [];
    const seen = new Set<string>();
    do {
      const clause = this.peek();
      const word = clause.kind === "name" ? clause.text.toUpperCase() : "";
      if (!["SET", "REMOVE", "ADD", "DELETE"].includes(word)) throw this.unexpected();
      if (seen.has(word)) throw new ExpressionSyntaxError(`The "${word}" section can only be used once in an update expression;`);
      seen.add(word);
      this.next();
      do {
        if (actions.length > 0 && this.isPunct(",")) this.next();
        actions.push(this.updateAction(word));
      } while (this.isPunct(","));
    } while (this.peek().kind !== "end");
    this.checkPaths(actions);
    return actions;
  }

  private updateAction(word: string): UpdateAction {
    const path = this.path();
    if (word === "SET") {
      this.expectPunct("=");
      return { kind: "set", path, value: this.updateValue() };
    }
    if (word === "REMOVE") return { kind: "remove", path };
    const token = this.next();
    if (token.kind !== "valueRef") throw syntaxError(this.source, this.tokens, token);
    const value = this.resolveValue(token.text);
    const type = typeOf(value);
    const allowed = word === "ADD" ? ["N", "SS", "NS", "BS"] : ["SS", "NS", "BS"];
    if (this.errors.get("attrNameVal") === undefined && !allowed.includes(type)) {
      // AWS names the operand's type in words here, not by its AttributeValue tag.
      this.note("function", `Incorrect operand type for operator or function; operator: ${word}, operand type: ${operandTypeWords[type] ?? type}`);
    }
    return { kind: word === "ADD" ? "add" : "delete", path, value };
  }

  private updateValue(): UpdateValue {
    const left = this.updateTerm();
    if (this.isPunct("+") || this.isPunct("-")) {
      const kind = this.next().text === "+" ? "plus" : "minus";
      return { kind, left, right: this.updateTerm() };
    }
    return left;
  }

  private updateTerm(): UpdateValue {
    if (this.peek().kind === "name" && this.isPunct("(", 1)) {
      const name = this.next().text;
      if (name === "if_not_exists") {
        this.expectPunct("(");
        const path = this.path();
        this.expectPunct(",");
        const fallback = this.updateValue();
        this.expectPunct(")");
        return { kind: "if_not_exists", path, fallback };
      }
      if (name === "list_append") {
        this.expectPunct("(");
        const left = this.updateValue();
        this.expectPunct(",");
        const right = this.updateValue();
        this.expectPunct(")");
        return { kind: "list_append", left, right };
      }
      // Condition functions have no place in an update; unknown ones are reported as such.
      this.callArguments(name);
      if (functionArity[name] !== undefined) this.note("misusedFunction", `The function is not allowed to be used this way in an expression; function: ${name}`);
      return { kind: "value", value: { NULL: true } };
    }
    const token = this.peek();
    if (token.kind === "valueRef") {
      this.next();
      return { kind: "value", value: this.resolveValue(token.text) };
    }
    return { kind: "path", path: this.path() };
  }

  /** AWS refuses two actions on one path, or on a path and one inside it. */
  private checkPaths(actions: readonly UpdateAction[]): void {
    for (let i = 0; i < actions.length; i++) {
      for (let j = i + 1; j < actions.length; j++) {
        const a = actions[i]!.path;
        const b = actions[j]!.path;
        const shared = Math.min(a.length, b.length);
        let same = true;
        for (let k = 0; k < shared && same; k++) same = a[k] === b[k];
        if (!same) {
          // One path indexes a list where the other names a map key, below a common parent.
          let k = 0;
          while (a[k] === b[k]) k++;
          if (k > 0 && k < shared && typeof a[k] !== typeof b[k]) {
            throw new ExpressionSyntaxError(`Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ${pathText(a)}, path two: ${pathText(b)}`);
          }
          continue;
        }
        throw new ExpressionSyntaxError(`Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathText(a)}, path two: ${pathText(b)}`);
      }
    }
  }

  // ---- projections

  projectionExpression(): DocumentPath[] {
    const paths = [this.path()];
    while (this.isPunct(",")) {
      this.next();
      paths.push(this.path());
    }
    this.expectEnd();
    return paths;
  }
}
