/**
 * The `application/vnd.amazon.eventstream` codec (src/protocol/eventstream.ts) and its CRC-32:
 * round trips, agreement with the AWS SDK's own codec in both directions, messages split across
 * chunks and packed into one, and corrupt input refused.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
// The SDK's codec, as @aws-sdk/client-kinesis itself decodes SubscribeToShard with it (test only).
import { EventStreamCodec, Int64 } from "@smithy/core/event-streams";
import {
  EventStreamDecodeError, EventStreamDecoder, encodeEventMessage, eventMessageBytesMax, type DecodedMessage, type EventMessageHeaders,
} from "../../src/protocol/eventstream.js";
import { crc32 } from "../../src/util/crc32.js";
import { SeededRandom } from "../../src/util/random.js";

const sdkCodec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"),
  (text) => new Uint8Array(Buffer.from(text, "utf8")),
);

const eventHeaders: EventMessageHeaders = { ":message-type": "event", ":event-type": "SubscribeToShardEvent", ":content-type": "application/json" };

function plain(message: DecodedMessage): { headers: Record<string, unknown>; payload: string } {
  return { headers: { ...message.headers }, payload: message.payload.toString("utf8") };
}

/** Three different messages, back to back. */
function threeMessages(): { bytes: Buffer; expected: { headers: Record<string, unknown>; payload: string }[] } {
  const parts = [
    { headers: { ":message-type": "event", ":event-type": "initial-response", ":content-type": "application/json" } as const, payload: "{}" },
    { headers: eventHeaders, payload: JSON.stringify({ Records: [{ Data: "aGVsbG8=" }], MillisBehindLatest: 0 }) },
    { headers: { ":message-type": "exception", ":exception-type": "ResourceInUseException", ":content-type": "application/json" } as const, payload: '{"message":"taken over"}' },
  ];
  return {
    bytes: Buffer.concat(parts.map((part) => encodeEventMessage(part.headers, Buffer.from(part.payload)))),
    expected: parts.map((part) => ({ headers: { ...part.headers }, payload: part.payload })),
  };
}

describe("eventstream > crc32", () => {
  it("eventstream > crc32 > gives the IEEE check value", () => {
    assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);
    assert.equal(crc32(Buffer.alloc(0)), 0);
  });

  it("eventstream > crc32 > continues across pieces as over the whole", () => {
    const bytes = new SeededRandom(7).bytes(1000);
    for (const cut of [0, 1, 7, 8, 9, 500, 999, 1000]) {
      assert.equal(crc32(bytes, cut, bytes.length, crc32(bytes, 0, cut)), crc32(bytes), `cut at ${cut}`);
    }
  });
});

describe("eventstream > encode and decode", () => {
  it("eventstream > round trip > gives back the headers and payload", () => {
    const payload = Buffer.from(JSON.stringify({ ContinuationSequenceNumber: "1", Records: [] }));
    const [message, ...rest] = new EventStreamDecoder().push(encodeEventMessage(eventHeaders, payload));
    assert.equal(rest.length, 0);
    assert.deepEqual(plain(message!), { headers: { ...eventHeaders }, payload: payload.toString("utf8") });
  });

  it("eventstream > round trip > an empty payload and non-ASCII header values", () => {
    const headers: EventMessageHeaders = { ":message-type": "exception", ":exception-type": "Ünïcødé", ":content-type": "application/json" };
    const [message] = new EventStreamDecoder().push(encodeEventMessage(headers, Buffer.alloc(0)));
    assert.deepEqual(plain(message!), { headers: { ...headers }, payload: "" });
  });

  it("eventstream > wire > prelude and CRCs are where the format puts them", () => {
    const payload = Buffer.from("{}");
    const bytes = encodeEventMessage({ ":message-type": "event" }, payload);
    // One header: 1 + 13 (":message-type") + 1 + 2 + 5 ("event") = 22 bytes.
    assert.equal(bytes.readUInt32BE(0), bytes.length);
    assert.equal(bytes.readUInt32BE(4), 22);
    assert.equal(bytes.length, 12 + 22 + payload.length + 4);
    assert.equal(bytes.readUInt32BE(8), crc32(bytes, 0, 8));
    assert.equal(bytes.readUInt32BE(bytes.length - 4), crc32(bytes, 0, bytes.length - 4));
    assert.equal(bytes.toString("utf8", 12 + 22, 12 + 22 + 2), "{}");
  });

  it("eventstream > sdk > the SDK's codec decodes what we encode", () => {
    const payload = Buffer.from(JSON.stringify({ MillisBehindLatest: 12, Records: [] }));
    const decoded = sdkCodec.decode(encodeEventMessage(eventHeaders, payload));
    assert.deepEqual(decoded.headers, {
      ":message-type": { type: "string", value: "event" },
      ":event-type": { type: "string", value: "SubscribeToShardEvent" },
      ":content-type": { type: "string", value: "application/json" },
    });
    assert.equal(Buffer.from(decoded.body).toString("utf8"), payload.toString("utf8"));
  });

  it("eventstream > sdk > we decode every header type the SDK encodes", () => {
    const encoded = sdkCodec.encode({
      headers: {
        yes: { type: "boolean", value: true },
        no: { type: "boolean", value: false },
        tiny: { type: "byte", value: -5 },
        small: { type: "short", value: -300 },
        medium: { type: "integer", value: 70_000 },
        large: { type: "long", value: Int64.fromNumber(-(2 ** 40)) },
        blob: { type: "binary", value: new Uint8Array([1, 2, 3]) },
        text: { type: "string", value: "bar" },
        when: { type: "timestamp", value: new Date(1_538_160_219_636) },
        id: { type: "uuid", value: "3bfdac5c-fe6c-4029-83bf-c1de7819f531" },
      },
      body: Buffer.from("payload"),
    });
    const [message] = new EventStreamDecoder().push(encoded);
    assert.deepEqual(
      { ...message!.headers },
      {
        yes: true,
        no: false,
        tiny: -5,
        small: -300,
        medium: 70_000,
        large: -(2n ** 40n),
        blob: Buffer.from([1, 2, 3]),
        text: "bar",
        when: new Date(1_538_160_219_636),
        id: "3bfdac5c-fe6c-4029-83bf-c1de7819f531",
      },
    );
    assert.equal(message!.payload.toString("utf8"), "payload");
  });

  it("eventstream > decoder > a header named __proto__ stays a header", () => {
    const encoded = sdkCodec.encode({ headers: { ["__proto__"]: { type: "string", value: "x" } }, body: new Uint8Array(0) });
    const [message] = new EventStreamDecoder().push(encoded);
    assert.equal(Object.getPrototypeOf(message!.headers), null);
    assert.equal(message!.headers["__proto__"], "x");
  });
});

describe("eventstream > decoder > chunking", () => {
  it("eventstream > decoder > several messages in one chunk come out in order", () => {
    const { bytes, expected } = threeMessages();
    assert.deepEqual(new EventStreamDecoder().push(bytes).map(plain), expected);
  });

  it("eventstream > decoder > one byte at a time", () => {
    const { bytes, expected } = threeMessages();
    const decoder = new EventStreamDecoder();
    const out: DecodedMessage[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...decoder.push(bytes.subarray(i, i + 1)));
    assert.deepEqual(out.map(plain), expected);
    assert.equal(decoder.pendingBytes, 0);
  });

  it("eventstream > decoder > every two-way split, and seeded random chunkings", () => {
    const { bytes, expected } = threeMessages();
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = new EventStreamDecoder();
      const out = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
      assert.deepEqual(out.map(plain), expected, `cut at ${cut}`);
    }
    const random = new SeededRandom(42);
    for (let round = 0; round < 50; round++) {
      const decoder = new EventStreamDecoder();
      const out: DecodedMessage[] = [];
      for (let offset = 0; offset < bytes.length; ) {
        const size = 1 + random.int(40);
        out.push(...decoder.push(bytes.subarray(offset, offset + size)));
        offset += size;
      }
      assert.deepEqual(out.map(plain), expected, `round ${round}`);
    }
  });

  it("eventstream > decoder > a stream cut short leaves its bytes pending", () => {
    const { bytes } = threeMessages();
    const decoder = new EventStreamDecoder();
    assert.equal(decoder.push(bytes.subarray(0, bytes.length - 3)).length, 2);
    assert.notEqual(decoder.pendingBytes, 0);
  });
});

describe("eventstream > decoder > corrupt input", () => {
  it("eventstream > decoder > a wrong prelude CRC is refused, and the decoder stays failed", () => {
    const bytes = encodeEventMessage(eventHeaders, Buffer.from("{}"));
    bytes[8]! ^= 0x01;
    const decoder = new EventStreamDecoder();
    assert.throws(() => decoder.push(bytes), (error: unknown) => error instanceof EventStreamDecodeError && /prelude CRC mismatch/.test(error.message));
    assert.throws(() => decoder.push(encodeEventMessage(eventHeaders, Buffer.from("{}"))), EventStreamDecodeError);
  });

  it("eventstream > decoder > a changed length is caught by the prelude CRC", () => {
    const bytes = encodeEventMessage(eventHeaders, Buffer.from("{}"));
    bytes.writeUInt32BE(bytes.readUInt32BE(0) + 1, 0);
    assert.throws(() => new EventStreamDecoder().push(bytes), /prelude CRC mismatch/);
  });

  it("eventstream > decoder > a flipped payload bit is refused by the message CRC", () => {
    const bytes = encodeEventMessage(eventHeaders, Buffer.from('{"a":1}'));
    bytes[bytes.length - 6]! ^= 0x40;
    assert.throws(() => new EventStreamDecoder().push(bytes), /message CRC mismatch/);
  });

  it("eventstream > decoder > a wrong message CRC is refused even when it arrives in pieces", () => {
    const bytes = encodeEventMessage(eventHeaders, Buffer.from("{}"));
    bytes[bytes.length - 1]! ^= 0xff;
    const decoder = new EventStreamDecoder();
    assert.deepEqual(decoder.push(bytes.subarray(0, 20)), []);
    assert.throws(() => decoder.push(bytes.subarray(20)), /message CRC mismatch/);
  });

  it("eventstream > decoder > a length over the format's limit is refused before it is buffered", () => {
    const prelude = Buffer.alloc(12);
    prelude.writeUInt32BE(eventMessageBytesMax + 1, 0);
    prelude.writeUInt32BE(0, 4);
    prelude.writeUInt32BE(crc32(prelude, 0, 8), 8);
    assert.throws(() => new EventStreamDecoder().push(prelude), /outside \[16, 16777216\]/);
  });

  it("eventstream > decoder > an unknown header type is refused", () => {
    // Build a message by hand whose one header has type 10.
    const header = Buffer.concat([Buffer.from([3]), Buffer.from("foo"), Buffer.from([10])]);
    const totalLength = 12 + header.length + 4;
    const bytes = Buffer.alloc(totalLength);
    bytes.writeUInt32BE(totalLength, 0);
    bytes.writeUInt32BE(header.length, 4);
    bytes.writeUInt32BE(crc32(bytes, 0, 8), 8);
    header.copy(bytes, 12);
    bytes.writeUInt32BE(crc32(bytes, 0, totalLength - 4), totalLength - 4);
    assert.throws(() => new EventStreamDecoder().push(bytes), /unknown header value type 10/);
  });
});
