/**
 * The query protocol's requests: a form-encoded body (`Action=GetMetricStatistics&Version=2010-08-01
 * &Namespace=AWS%2FKinesis&Dimensions.member.1.Name=StreamName&…`) read against the model. Keys
 * are split on dots into a tree first, so each list is found in one step however many parameters
 * the request has; lists are `Name.member.N` (N from 1), nested structures `Outer.Inner`, numbers
 * and booleans text, timestamps ISO 8601 (or epoch seconds). A value that does not read as its
 * type answers InvalidParameterValue naming the parameter as sent.
 */
import type { Shape, StructureShape } from "../model.js";
import { cloudWatchErrors } from "../errors.js";

/** More parameters than any request of these actions needs (500 queries with 30 dimensions each is ~35,000). */
export const queryParametersMax = 100_000;
/** The largest list index taken: CloudWatch's longest list here is GetMetricData's 500 queries. */
const listIndexMax = 100_000;

interface Node {
  value?: string;
  children?: Map<string, Node>;
}

export interface QueryRequest {
  action: string | undefined;
  version: string | undefined;
  tree: Node;
}

export function parseQueryBody(body: string): QueryRequest {
  const tree: Node = {};
  let count = 0;
  let action: string | undefined;
  let version: string | undefined;
  for (const [key, value] of new URLSearchParams(body)) {
    if (++count > queryParametersMax) throw cloudWatchErrors.invalidParameterValue(`The request has more than ${queryParametersMax} parameters.`);
    if (key === "Action") action = value;
    else if (key === "Version") version = value;
    let node = tree;
    for (const part of key.split(".")) {
      node.children ??= new Map();
      let child = node.children.get(part);
      if (child === undefined) node.children.set(part, (child = {}));
      node = child;
    }
    node.value = value;
  }
  return { action, version, tree };
}

export function readQueryStructure(tree: Node, shape: StructureShape): Record<string, unknown> {
  return readStructure(tree, shape, "");
}

function readStructure(node: Node, shape: StructureShape, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(shape.members)) {
    const child = node.children?.get(name);
    if (child === undefined) continue;
    const value = readNode(child, member, path === "" ? name : `${path}.${name}`);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function readNode(node: Node, shape: Shape, path: string): unknown {
  switch (shape.type) {
    case "structure":
      return readStructure(node, shape, path);
    case "list": {
      // `Name=` with nothing under it is how botocore sends an empty list.
      const members = node.children?.get("member")?.children;
      if (members === undefined) return node.value !== undefined ? [] : undefined;
      const indexed: [number, Node][] = [];
      for (const [index, child] of members) {
        const n = /^[1-9]\d*$/.test(index) ? Number(index) : NaN;
        if (!(n <= listIndexMax)) throw cloudWatchErrors.invalidParameterValue(`The parameter ${path}.member.${index} is not a valid list member.`);
        indexed.push([n, child]);
      }
      indexed.sort((a, b) => a[0] - b[0]);
      return indexed.map(([n, child]) => readNode(child, shape.member, `${path}.member.${n}`));
    }
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [index, entry] of node.children?.get("entry")?.children ?? []) {
        const key = entry.children?.get("key")?.value;
        const value = entry.children?.get("value");
        if (key !== undefined && value !== undefined && key !== "__proto__") out[key] = readNode(value, shape.value, `${path}.entry.${index}.value`);
      }
      return out;
    }
    default:
      return node.value === undefined ? undefined : readScalar(node.value, shape.type, path);
  }
}

function readScalar(text: string, type: "string" | "integer" | "double" | "boolean" | "timestamp", path: string): unknown {
  switch (type) {
    case "string":
      return text;
    case "integer":
      if (/^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
      break;
    case "double":
      if (text.trim() !== "" && Number.isFinite(Number(text))) return Number(text);
      break;
    case "boolean":
      if (text === "true" || text === "false") return text === "true";
      break;
    case "timestamp": {
      const ms = parseTimestamp(text);
      if (ms !== undefined) return ms;
      break;
    }
  }
  throw cloudWatchErrors.invalidParameterValue(`The value ${text} for parameter ${path} is invalid.`);
}

const isoPattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/i;

/** ISO 8601 as botocore writes it (`2024-05-01T12:00:00Z`, `…:00.250000Z`, an offset), or epoch seconds. */
export function parseTimestamp(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Math.floor(Number(text) * 1000);
  const match = isoPattern.exec(text);
  if (match === null) return undefined;
  const fraction = (match[2] ?? "").slice(0, 3).padEnd(3, "0");
  const zone = match[3]!.toUpperCase() === "Z" ? "Z" : match[3]!.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  const ms = Date.parse(`${match[1]}.${fraction}${zone}`);
  return Number.isFinite(ms) ? ms : undefined;
}
