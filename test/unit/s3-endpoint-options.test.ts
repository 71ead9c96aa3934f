/**
 * `--s3-endpoint` (docs/s3.md): checked before anything starts — a URL, an access key and the
 * secret from the environment together, or none of them.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolveServerOptions, s3EndpointOf } from "../../src/server/server-options.js";

function values(cli: Record<string, string>) {
  const resolved = resolveServerOptions(cli, {});
  assert.ok(resolved.ok, resolved.ok ? "" : resolved.message);
  return resolved.values;
}

describe("unit > s3 endpoint options", () => {
  it("unit > s3 endpoint options > none given: no endpoint", () => {
    assert.equal(s3EndpointOf(values({}), undefined), undefined);
  });

  it("unit > s3 endpoint options > an endpoint with its key and secret, region from --region unless --s3-region", () => {
    assert.deepEqual(s3EndpointOf(values({ "s3-endpoint": "http://127.0.0.1:9000", "s3-access-key-id": "AK", region: "eu-west-1" }), "SECRET"), {
      url: "http://127.0.0.1:9000", region: "eu-west-1", accessKeyId: "AK", secretAccessKey: "SECRET", forcePathStyle: true,
    });
    const own = s3EndpointOf(values({ "s3-endpoint": "https://s3.example.com", "s3-access-key-id": "AK", "s3-region": "us-west-2", "s3-force-path-style": "false" }), "S");
    assert.ok(typeof own === "object");
    assert.equal(own.region, "us-west-2");
    assert.equal(own.forcePathStyle, false);
  });

  it("unit > s3 endpoint options > an endpoint without credentials, or credentials without an endpoint, cannot start", () => {
    assert.equal(s3EndpointOf(values({ "s3-endpoint": "http://127.0.0.1:9000" }), undefined), "--s3-endpoint needs --s3-access-key-id and TRIBUTARY_S3_SECRET_ACCESS_KEY");
    assert.equal(s3EndpointOf(values({ "s3-access-key-id": "AK" }), undefined), "--s3-access-key-id and TRIBUTARY_S3_SECRET_ACCESS_KEY are used only with --s3-endpoint");
  });

  it("unit > s3 endpoint options > a value that is not an http(s) URL is refused with what would do", () => {
    const resolved = resolveServerOptions({ "s3-endpoint": "ftp://x" }, {});
    assert.deepEqual(resolved, { ok: false, message: "--s3-endpoint must be an http:// or https:// URL, got ftp://x" });
  });
});
