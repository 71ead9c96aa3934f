/**
 * The web console's pages (docs/console.md), as the server's SitePage hook serves them: asked only
 * about unsigned GET and HEAD requests, before the AWS APIs.
 *
 *   GET /                             the console's HTML, for a browser only (Accept names
 *                                     text/html); anything else gets undefined, so S3's
 *                                     ListBuckets (also `GET /`) still answers it
 *   GET /_tributary/console/<file>    its scripts and styles (src/console/assets), vendor/ for
 *                                     uPlot and aws4fetch; settings.json says the region, the
 *                                     account and whether requests must be signed
 *
 * Bucket names cannot start with `_`, so the asset prefix is never an S3 path. The browser then
 * talks to the public AWS APIs on the same origin, signing with aws4fetch under `--auth sigv4`.
 */
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import type { ResponseToSend } from "../protocol/respond.js";
import { AssetStore, type AssetFile } from "./asset-files.js";

export const consoleAssetPrefix = "/_tributary/console/";

/** What the console tells the browser about the server (settings.json). */
export interface ConsoleSettings {
  region: string;
  /** `--account-id`, the account of every caller under `--auth none`; left out under sigv4, where each key has its own and the page is public. */
  accountId?: string;
  /** `--auth sigv4`: the console asks for an access key and signs every request. */
  signed: boolean;
}

/** The shape of create-server.ts's SitePage (console/ sits beside server/ and does not import it). */
export interface ConsolePage {
  claims(path: string): boolean;
  respond(request: IncomingMessage | Http2ServerRequest, path: string, query: URLSearchParams): Promise<ResponseToSend | undefined>;
}

/**
 * The console's pages, for AppDeps.pages.
 *
 * @example
 *   startApp({ ...deps, pages: (app) => consolePages({ region: app.config.region, accountId: app.config.accountId, signed: false }) })
 */
export function consolePages(settings: ConsoleSettings, store: AssetStore = new AssetStore()): ConsolePage[] {
  const settingsBody = Buffer.from(JSON.stringify(settings));
  return [
    {
      claims: (path) => path === "/",
      async respond(request) {
        // A browser navigating asks for HTML; the SDKs, the CLI and curl do not.
        if (!String(request.headers.accept ?? "").includes("text/html")) return undefined;
        return fileAnswer(request, store.get("index.html"));
      },
    },
    {
      claims: (path) => path.startsWith(consoleAssetPrefix),
      async respond(request, path) {
        const name = path.slice(consoleAssetPrefix.length);
        if (name === "settings.json") {
          return { statusCode: 200, headers: { ...securityHeaders, "content-type": "application/json", "cache-control": "no-store" }, body: settingsBody };
        }
        return fileAnswer(request, store.get(name)) ?? notFound();
      },
    },
  ];
}

/** Same-origin only: the console's own files and the APIs on this port; no inline script or style (uPlot sizes its elements through the CSSOM, which the policy allows). */
const securityHeaders: Readonly<Record<string, string>> = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

function fileAnswer(request: IncomingMessage | Http2ServerRequest, file: AssetFile | undefined): ResponseToSend | undefined {
  if (file === undefined) return undefined;
  // no-cache: revalidated on each load (an upgrade is seen at once), answered 304 when unchanged.
  const headers: Record<string, string> = { ...securityHeaders, "content-type": file.contentType, "cache-control": "no-cache", etag: file.etag, vary: "Accept-Encoding" };
  if (request.headers["if-none-match"] === file.etag) return { statusCode: 304, headers, body: Buffer.alloc(0) };
  if (/\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""))) {
    return { statusCode: 200, headers: { ...headers, "content-encoding": "gzip" }, body: file.gzip() };
  }
  return { statusCode: 200, headers, body: file.body };
}

function notFound(): ResponseToSend {
  return { statusCode: 404, headers: { ...securityHeaders, "content-type": "text/plain; charset=utf-8" }, body: Buffer.from("Not Found\n") };
}
