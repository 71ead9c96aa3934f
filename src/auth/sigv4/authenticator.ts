/**
 * `--auth sigv4`: a request is whoever signed it, per the credentials file, or an AWS
 * authentication error. The service in the credential scope must be the signing name of the
 * service the request targets (`kinesis` unless the pipeline says otherwise: `dynamodb` for the
 * lease-table subset), and the region the server's own.
 */
import type { Authenticator, Principal } from "../principal.js";
import type { CredentialsFile } from "../credentials-file.js";
import type { Clock } from "../../util/clock.js";
import { parseQuery } from "./canonical.js";
import { hasSignature } from "./parse.js";
import { createSigV4Verifier } from "./verify.js";
import { missingAuthenticationTokenXml } from "./errors.js";

export const kinesisSigningService = "kinesis";

export interface SigV4AuthenticatorDeps {
  region: string;
  credentials: Pick<CredentialsFile, "lookup">;
  clock: Clock;
}

export function sigV4Authenticator(deps: SigV4AuthenticatorDeps): Authenticator {
  const verifier = createSigV4Verifier<Principal>({
    region: deps.region,
    service: kinesisSigningService,
    lookup: (accessKeyId) => deps.credentials.lookup(accessKeyId),
  });
  return {
    // A request that is not an RPC call: AWS answers an unsigned one MissingAuthenticationToken rather than AccessDenied.
    notRpcAnswer: (request) => (hasSignature(request.headers, parseQuery(request.query)) ? undefined : missingAuthenticationTokenXml),
    async authenticate(request) {
      const outcome = await verifier.verify({ ...request, query: parseQuery(request.query) }, deps.clock.nowMs(), request.signingService ?? kinesisSigningService);
      return outcome.ok ? { ok: true, principal: outcome.identity } : outcome;
    },
  };
}
