/**
 * ClusterJDBCURL → where PostgreSQL is: `jdbc:postgresql://host:port/database` or
 * `jdbc:redshift://host:port/database` (a Redshift cluster's URL is served by the PostgreSQL at that
 * address; query parameters are ignored). Firehose's model requires a `….redshift.…` or
 * `….redshift-serverless.…` host name; names under `.localhost` resolve to this machine
 * (127.0.0.1, RFC 6761), so `jdbc:postgresql://warehouse.redshift.localhost:5439/dev` reaches a
 * local PostgreSQL on port 5439 while matching AWS's pattern.
 */
export interface PostgresAddress {
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

export function parseJdbcUrl(url: string): PostgresAddress | undefined {
  const match = /^jdbc:(?:postgresql|redshift):\/\/(\[[^\]]+\]|[^/:?]+)(?::(\d{1,5}))?\/([^?;/]+)/.exec(url);
  if (match === null) return undefined;
  const named = match[1]!.replace(/^\[|\]$/g, "");
  const host = named === "localhost" || named.endsWith(".localhost") ? "127.0.0.1" : named;
  return { host, port: match[2] === undefined ? 5439 : Number(match[2]), database: decodeURIComponent(match[3]!) };
}
