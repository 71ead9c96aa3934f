import type { JsonWriter } from "./json-writer.js";

/**
 * A response member that writes its own JSON — for the few large, regular values (GetRecords'
 * record list) where generic serialisation costs more than the rest of the request — and hands
 * every other codec the plain value it stands for. The JSON it writes must equal what the JSON
 * codec would make of `toWireValue()` (test/unit/json-writer.test.ts holds them to that).
 * Only top-level members of a response may be self-encoding.
 */
export abstract class SelfEncodingValue {
  abstract writeJson(writer: JsonWriter): void;
  /** A size hint for the writer, in bytes. */
  abstract jsonBytesEstimate(): number;
  abstract toWireValue(): unknown;
}
