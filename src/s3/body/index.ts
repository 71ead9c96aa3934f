/**
 * Request bodies for the S3 service: aws-chunked decoding and every integrity check S3 makes on
 * an upload, as the bytes stream (bounded memory for any size).
 *
 *   const payload = payloadOf(head, body, auth.payload, { computeChecksums: ["CRC64NVME"] });
 *   for await (const chunk of payload.bytes) write(chunk);   // throws S3Error on any mismatch
 *   const { sizeBytes, md5Hex, checksums } = payload.summary();
 *
 * A small body (a Content-Length of at most 64 KiB, not aws-chunked) may be read whole instead:
 *
 *   const small = smallPayloadOf(planPayload(head, auth.payload));   // undefined: stream it
 *   const { bytes, summary } = await readSmallPayload(small, body, auth.payload, sizeBytesMax, tooLarge);
 */
export type { ChecksumAlgorithm } from "../checksums/index.js";
export {
  payloadOf, planPayload, storedContentEncoding, workerHashingBytesMinDefault, type Payload, type PayloadOptions, type PayloadSummary, type Plan,
} from "./payload.js";
export { readSmallPayload, smallPayloadBytesMax, smallPayloadOf, type SmallPayload } from "./small-payload.js";
export { AwsChunkedDecoder, chunkBytesMin, chunkedLineBytesMax, type AwsChunkedOptions } from "./aws-chunked.js";
