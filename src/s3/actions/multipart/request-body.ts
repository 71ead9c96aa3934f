/** Small request bodies (a bucket policy's JSON) read whole through the payload check (src/s3/body). */
import type { S3Request } from "../../action.js";
import { payloadOf } from "../../body/index.js";

/** The body's bytes, or `undefined` when it holds more than `bytesMax`. */
export async function readSmallBody(request: S3Request, bytesMax: number): Promise<Buffer | undefined> {
  const payload = payloadOf(request.head, request.body, request.payload);
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  let tooLarge = false;
  for await (const chunk of payload.bytes) {
    sizeBytes += chunk.length;
    // Read on to the end (so the connection stays usable and the payload check runs), keeping nothing.
    if (sizeBytes > bytesMax) tooLarge = true;
    if (!tooLarge) chunks.push(Buffer.from(chunk));
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}
