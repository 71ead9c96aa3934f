/**
 * Who is calling (interface A of issue 6): resolved by the RPC pipeline before a service runs —
 * from the credentials file under `--auth sigv4`, or the anonymous principal under `--auth none` —
 * and handed to the service, whose context carries it to authorization.
 */
import type { PolicyDocument } from "./policy/types.js";
import { parsePolicyObject } from "./policy/parse.js";
import type { Authentication as PortAuthentication, Authenticator as AuthenticatorPort } from "../protocol/authenticator.js";

export interface Principal {
  /** The 12-digit account the caller belongs to. */
  accountId: string;
  /** `arn:aws:iam::111122223333:user/alice`, as AccessDeniedException messages name it. */
  arn: string;
  /** The access key the request was signed with; empty for the anonymous principal. */
  accessKeyId: string;
  /** Identity-based policies attached to the caller, parsed once when the credentials were loaded. */
  policies: readonly PolicyDocument[];
  /** A credentials-file entry marked `"admin": true`: may call the server's admin endpoints (POST /_tributary/reset). */
  admin?: boolean;
}

const allowEverything = (() => {
  const parsed = parsePolicyObject({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
  if (!parsed.ok) throw new Error(`the allow-everything policy does not parse: ${parsed.message}`);
  return parsed.policy;
})();

const anonymousByAccount = new Map<string, Principal>();

/**
 * The caller under `--auth none`: the account's root, allowed everything. One object per account,
 * so authorization can recognise it by identity and skip evaluation.
 *
 * @example anonymousPrincipal("000000000000").arn === "arn:aws:iam::000000000000:root"
 */
export const anonymousPrincipal = (accountId: string): Principal => {
  let principal = anonymousByAccount.get(accountId);
  if (principal === undefined) {
    principal = Object.freeze({ accountId, arn: `arn:aws:iam::${accountId}:root`, accessKeyId: "", policies: Object.freeze([allowEverything]) });
    anonymousByAccount.set(accountId, principal);
  }
  return principal;
};

export type { RequestToAuthenticate } from "../protocol/authenticator.js";

export type Authentication = PortAuthentication<Principal>;

/** How the RPC pipeline learns who is calling (`--auth none` or `--auth sigv4`): the protocol's port, for principals. */
export type Authenticator = AuthenticatorPort<Principal>;

/** `--auth none`: every well-formed request is the account's anonymous principal. */
export function anonymousAuthenticator(accountId: string): Authenticator {
  const authentication: Authentication = { ok: true, principal: anonymousPrincipal(accountId) };
  return { notRpcAnswer: () => undefined, authenticate: async () => authentication };
}
