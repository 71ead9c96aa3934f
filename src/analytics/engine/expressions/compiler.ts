/**
 * The expression compiler (plan-contracts.ts ExpressionCompiler): turns a syntax-tree expression
 * into a typed closure over (row, rowtime, context) once, at compile time, so that evaluation per
 * row is a few function calls with no allocation beyond the values it makes. Type errors are
 * SqlCompileErrors at the node's line and column, worded as the service's validator words them;
 * row-level failures (division by zero, a bad cast) are SqlRuntimeErrors thrown at run time.
 */
import type { Binary, Case, Cast, Expression, IntervalLiteral, Literal, Unary } from "../../sql/ast.js";
import type { FunctionRegistry } from "../../sql/functions/contracts.js";
import type { SqlType, SqlValue } from "../../sql/types.js";
import type { CompileHooks, ExpressionCompiler, Scope } from "../plan-contracts.js";
import { compileArithmetic, compileNegate } from "./arithmetic.js";
import { compileScalarCall } from "./calls.js";
import { assignment, castAllowed, conversion } from "./cast.js";
import { compiled, compileError, constantExpression, folded, type Compiled, type Evaluator } from "./compiled.js";
import { parseDate, parseInterval, parseTime, parseTimestamp } from "./datetime.js";
import { readField, resolveColumn } from "./names.js";
import { and, between, comparison, inList, isTest, like, not, or, type ComparisonOperator } from "./predicates.js";
import { existsSubquery, inSubquery, scalarSubquery, type RelationPlanner } from "./subqueries.js";
import { commonType, comparable, familyOf, isCharacter, typeText } from "./type-rules.js";

function operandText(left: SqlType, operator: string, right?: SqlType): string {
  return right === undefined ? `${operator} <${typeText(left)}>` : `<${typeText(left)}> ${operator} <${typeText(right)}>`;
}

function cannotApply(operator: string, at: Expression["at"], left: SqlType, right?: SqlType): Error {
  return compileError(`Cannot apply '${operator}' to arguments of type '${operandText(left, operator, right)}'`, at);
}

function requireBoolean(operand: Compiled, operator: string, at: Expression["at"], other?: Compiled): void {
  for (const side of other === undefined ? [operand] : [operand, other]) {
    if (side.type.name !== "BOOLEAN" && side.type.name !== "NULL") {
      throw cannotApply(operator, at, operand.type, other?.type);
    }
  }
}

function hexBytes(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function compileLiteral(literal: Literal): Compiled {
  const { value, type } = literal;
  if (value === null) return constantExpression(type.name === "NULL" ? { name: "NULL" } : type, null);
  if (typeof value !== "string") return constantExpression(type, value);
  const parsers: Partial<Record<string, (text: string) => number | null>> = { TIMESTAMP: parseTimestamp, DATE: parseDate, TIME: parseTime };
  const parse = parsers[type.name];
  if (parse !== undefined) {
    const parsed = parse(value);
    if (parsed === null) throw compileError(`Illegal ${type.name} literal '${value}'`, literal.at);
    return constantExpression(type.name === "TIMESTAMP" && type.precision === undefined ? { ...type, precision: 3 } : type, parsed);
  }
  if (type.name === "BINARY" || type.name === "VARBINARY") {
    const bytes = hexBytes(value);
    if (bytes === undefined) throw compileError(`Illegal binary string '${value}'`, literal.at);
    return constantExpression({ ...type, precision: type.precision ?? bytes.length }, bytes);
  }
  const textType: SqlType = isCharacter(type) ? { ...type, precision: type.precision ?? value.length } : { name: "CHAR", precision: value.length };
  return constantExpression(textType, value);
}

function compileInterval(literal: IntervalLiteral): Compiled {
  const value = parseInterval(literal.text, literal.start, literal.end, literal.negative);
  const qualifier = literal.end === undefined ? literal.start : `${literal.start} TO ${literal.end}`;
  if (value === null) throw compileError(`Illegal interval literal format '${literal.text}' for INTERVAL ${qualifier}`, literal.at);
  const name = value.months !== undefined ? "INTERVAL_YEAR_MONTH" : "INTERVAL_DAY_TIME";
  return constantExpression({ name, qualifier }, value);
}

/** Wraps an operand's evaluator so that its value takes `target`'s representation (CASE branches, COALESCE). */
export function converted(operand: Compiled, target: SqlType): Evaluator {
  const convert = assignment(operand.type, target);
  const evaluate = operand.evaluate;
  if (convert === undefined) return evaluate;
  return (row, t, c) => {
    const value = evaluate(row, t, c);
    return value === null ? null : convert(value, c);
  };
}

class Compiler {
  constructor(
    private readonly functions: FunctionRegistry,
    private readonly scope: Scope,
    private readonly hooks: CompileHooks | undefined,
    private readonly relations: RelationPlanner | undefined,
  ) {}

  compile(expression: Expression): Compiled {
    switch (expression.kind) {
      case "Literal":
        return compileLiteral(expression);
      case "IntervalLiteral":
        return compileInterval(expression);
      case "ColumnRef":
        return resolveColumn(expression, this.scope);
      case "Binary":
        return this.binary(expression);
      case "Unary":
        return this.unary(expression);
      case "Cast":
        return this.cast(expression);
      case "Case":
        return this.caseExpression(expression);
      case "IsTest": {
        const operand = this.compile(expression.expression);
        if (expression.test !== "NULL") requireBoolean(operand, `IS ${expression.negated ? "NOT " : ""}${expression.test}`, expression.at);
        return folded({ name: "BOOLEAN" }, isTest(operand.evaluate, expression.test, expression.negated), [operand]);
      }
      case "Between": {
        const operands = [expression.expression, expression.low, expression.high].map((part) => this.compile(part)) as [Compiled, Compiled, Compiled];
        const [value, low, high] = operands;
        if (!comparable(value.type, low.type) || !comparable(value.type, high.type)) {
          throw compileError(`Cannot apply 'BETWEEN ASYMMETRIC' to arguments of type '<${typeText(value.type)}> BETWEEN ASYMMETRIC <${typeText(low.type)}> AND <${typeText(high.type)}>'`, expression.at);
        }
        return folded({ name: "BOOLEAN" }, between(value, low, high, expression.symmetric, expression.negated), operands);
      }
      case "InList": {
        const value = this.compile(expression.expression);
        const [only] = expression.list;
        if (expression.list.length === 1 && only?.kind === "ScalarSubquery") return inSubquery(value, only.query, this.scope, expression.negated, only.at, this.relations);
        const list = expression.list.map((item) => this.compile(item));
        if (list.some((item) => !comparable(value.type, item.type))) {
          throw compileError("Values passed to IN operator must have compatible types", expression.at);
        }
        return folded({ name: "BOOLEAN" }, inList(value, list, expression.negated), [value, ...list]);
      }
      case "Like": {
        const value = this.compile(expression.expression);
        const pattern = this.compile(expression.pattern);
        const escape = expression.escape === undefined ? undefined : this.compile(expression.escape);
        for (const operand of [value, pattern, ...(escape === undefined ? [] : [escape])]) {
          if (!isCharacter(operand.type) && operand.type.name !== "NULL") throw cannotApply(expression.operator, expression.at, value.type, pattern.type);
        }
        const operands = escape === undefined ? [value, pattern] : [value, pattern, escape];
        return folded({ name: "BOOLEAN" }, like(expression.operator, value, pattern, escape, expression.negated), operands);
      }
      case "Call": {
        const [subquery] = expression.args;
        if (expression.name === "EXISTS" && expression.args.length === 1 && subquery?.kind === "ScalarSubquery") return existsSubquery(subquery.query, this.scope, expression.at, this.relations);
        const hooked = this.hooks?.call?.(expression, this.scope);
        if (hooked !== undefined) return hooked as Compiled;
        if (expression.over !== undefined) throw compileError(`Windowed function ${expression.name} is not supported here`, expression.at);
        if (expression.distinct === true || (this.functions.aggregate(expression.name) !== undefined && this.functions.scalar(expression.name) === undefined)) {
          throw compileError(`Aggregate expression '${expression.name}' is illegal here`, expression.at);
        }
        const args = expression.args.map((arg) => this.compile(arg));
        return compileScalarCall(expression, args, this.functions);
      }
      case "RowConstructor": {
        const values = expression.values.map((value) => this.compile(value));
        const evaluators = values.map((value) => value.evaluate);
        const type: SqlType = { name: "ROW", fields: values.map((value, i) => ({ name: `EXPR$${i}`, type: value.type })) };
        return folded(type, (row, t, c) => evaluators.map((evaluate) => evaluate(row, t, c)), values);
      }
      case "FieldAccess":
        return readField(this.compile(expression.expression), expression.field, expression.at);
      case "Symbol":
        return constantExpression({ name: "SYMBOL" }, expression.name);
      case "Star":
        throw compileError("Unknown identifier '*'", expression.at);
      case "Cursor":
        throw compileError("CURSOR is only allowed as an argument of a table function", expression.at);
      case "ScalarSubquery":
        return scalarSubquery(expression.query, this.scope, expression.at, this.relations);
    }
  }

  private binary(expression: Binary): Compiled {
    const left = this.compile(expression.left);
    const right = this.compile(expression.right);
    const { operator } = expression;
    switch (operator) {
      case "AND":
      case "OR":
        requireBoolean(left, operator, expression.at, right);
        return folded({ name: "BOOLEAN" }, operator === "AND" ? and(left.evaluate, right.evaluate) : or(left.evaluate, right.evaluate), [left, right]);
      case "=":
      case "<>":
      case "<":
      case "<=":
      case ">":
      case ">=":
        if (!comparable(left.type, right.type) || familyOf(left.type) === "ROW") throw cannotApply(operator, expression.at, left.type, right.type);
        return folded({ name: "BOOLEAN" }, comparison(operator as ComparisonOperator, left, right), [left, right]);
      case "||":
        return this.concat(expression, left, right);
      default: {
        if (left.type.name === "NULL" || right.type.name === "NULL") {
          const other = left.type.name === "NULL" ? right.type : left.type;
          return constantExpression(other.name === "NULL" ? { name: "NULL" } : other, null);
        }
        const arithmetic = compileArithmetic(operator, left.type, right.type);
        if (arithmetic === undefined) throw cannotApply(operator, expression.at, left.type, right.type);
        const apply = arithmetic.apply;
        const l = left.evaluate;
        const r = right.evaluate;
        return folded(
          arithmetic.type,
          (row, t, c) => {
            const a = l(row, t, c);
            if (a === null) return null;
            const b = r(row, t, c);
            return b === null ? null : apply(a, b);
          },
          [left, right],
        );
      }
    }
  }

  private concat(expression: Binary, left: Compiled, right: Compiled): Compiled {
    for (const side of [left, right]) {
      if (!isCharacter(side.type) && side.type.name !== "NULL") throw cannotApply("||", expression.at, left.type, right.type);
    }
    const fixed = left.type.name === "CHAR" && right.type.name === "CHAR";
    const length = left.type.precision === undefined || right.type.precision === undefined ? undefined : left.type.precision + right.type.precision;
    const type: SqlType = length === undefined ? { name: "VARCHAR" } : { name: fixed ? "CHAR" : "VARCHAR", precision: length };
    const l = left.evaluate;
    const r = right.evaluate;
    return folded(
      type,
      (row, t, c) => {
        const a = l(row, t, c);
        if (a === null) return null;
        const b = r(row, t, c);
        return b === null ? null : (a as string) + (b as string);
      },
      [left, right],
    );
  }

  private unary(expression: Unary): Compiled {
    const operand = this.compile(expression.operand);
    if (expression.operator === "NOT") {
      requireBoolean(operand, "NOT", expression.at);
      return folded({ name: "BOOLEAN" }, not(operand.evaluate), [operand]);
    }
    if (operand.type.name === "NULL") return operand;
    const negate = compileNegate(operand.type);
    if (negate === undefined) throw cannotApply(expression.operator, expression.at, operand.type);
    if (expression.operator === "+") return operand;
    const evaluate = operand.evaluate;
    return folded(
      operand.type,
      (row, t, c) => {
        const value = evaluate(row, t, c);
        return value === null ? null : negate(value);
      },
      [operand],
    );
  }

  private cast(expression: Cast): Compiled {
    const operand = this.compile(expression.expression);
    const target = expression.type.name === "CHAR" && expression.type.precision === undefined ? { ...expression.type, precision: 1 } : expression.type;
    if (!castAllowed(operand.type, target)) {
      throw compileError(`Cast function cannot convert value of type ${typeText(operand.type)} to type ${typeText(target)}`, expression.at);
    }
    const convert = conversion(operand.type, target);
    if (convert === undefined) return operand.constant === undefined ? compiled(target, operand.evaluate) : constantExpression(target, operand.constant);
    const evaluate = operand.evaluate;
    return folded(
      target,
      (row, t, c) => {
        const value = evaluate(row, t, c);
        return value === null ? null : convert(value, c);
      },
      [operand],
    );
  }

  private caseExpression(expression: Case): Compiled {
    const subject = expression.operand === undefined ? undefined : this.compile(expression.operand);
    const whens = expression.whens.map(({ when }) => this.compile(when));
    const conditions = whens.map((condition, i) => {
      const at = (expression.whens[i] as Case["whens"][number]).when.at;
      if (subject === undefined) {
        requireBoolean(condition, "CASE", at);
        return condition.evaluate;
      }
      if (!comparable(subject.type, condition.type)) throw cannotApply("=", at, subject.type, condition.type);
      return comparison("=", subject, condition);
    });
    const results = expression.whens.map(({ then }) => this.compile(then));
    const otherwise = expression.else === undefined ? undefined : this.compile(expression.else);
    const branches = otherwise === undefined ? results : [...results, otherwise];
    const type = commonType(branches.map((branch) => branch.type));
    if (type === undefined) throw compileError("Illegal mixing of types in CASE or COALESCE statement", expression.at);
    const values = results.map((result) => converted(result, type));
    const fallback = otherwise === undefined ? undefined : converted(otherwise, type);
    const count = conditions.length;
    const evaluate: Evaluator = (row, t, c) => {
      for (let i = 0; i < count; i++) {
        if ((conditions[i] as Evaluator)(row, t, c) === true) return (values[i] as Evaluator)(row, t, c);
      }
      return fallback === undefined ? null : fallback(row, t, c);
    };
    const operands = [...(subject === undefined ? [] : [subject]), ...whens, ...branches];
    return folded(type, evaluate, operands);
  }
}

/** The engine's ExpressionCompiler over a function registry (and the planner of subqueries over reference tables). */
export function createExpressionCompiler(functions: FunctionRegistry, relations?: RelationPlanner): ExpressionCompiler {
  return (expression, scope, hooks) => new Compiler(functions, scope, hooks, relations).compile(expression);
}

/** The constant value of an expression that needs no row (table-function arguments), or undefined. */
export function constantValue(compiledExpression: { constant?: SqlValue }): SqlValue | undefined {
  return compiledExpression.constant;
}
