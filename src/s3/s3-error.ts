/**
 * An S3 error answer: `<Error><Code>…</Code><Message>…</Message>…<RequestId>…</RequestId></Error>`
 * with its HTTP status. `fields` are the extra elements S3 puts between Message and RequestId for
 * this error (Key, BucketName, Resource, StringToSign, SignatureProvided, ArgumentName…), in order.
 * The service's catalog (src/s3/errors.ts) and the authenticator's (src/s3/auth/errors.ts) build them.
 */
export class S3Error extends Error {
  override name = "S3Error";

  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
