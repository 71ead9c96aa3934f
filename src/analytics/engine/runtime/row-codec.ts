/**
 * Rows in checkpoints: snapshots must be JSON, and rows may hold binary strings, intervals and
 * non-finite numbers, which the library's value codec tags.
 */
import { decodeValue, encodeValue, type EncodedValue } from "../../sql/functions/aggregate/value-codec.js";
import type { Row } from "../../sql/types.js";

export type EncodedRow = EncodedValue[];

export function encodeRow(row: Row): EncodedRow {
  return row.map(encodeValue);
}

export function decodeRow(encoded: EncodedRow): Row {
  return encoded.map(decodeValue);
}

export function encodeRows(rows: readonly Row[]): EncodedRow[] {
  return rows.map(encodeRow);
}

export function decodeRows(encoded: readonly EncodedRow[]): Row[] {
  return encoded.map(decodeRow);
}
