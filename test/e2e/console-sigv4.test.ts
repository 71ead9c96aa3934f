/**
 * The web console under `--auth sigv4`, over TLS (the self-signed certificate of `--tls`): the page
 * and its assets load unsigned, the console asks for an access key, refuses a wrong secret with
 * the server's own error, and once signed in runs the flow with every request signed in
 * the browser (aws4fetch); signing out forgets the key.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { startServer, type TributaryServer } from "../../src/index.js";
import { consoleFlow, launchBrowser, openPage, screenshot } from "../helpers/browser.js";
import { CredentialsDir, credentialsEntry } from "../auth/sigv4-helpers.js";

const operator = { accessKeyId: "AKIACONSOLEEXAMPLE01", secretAccessKey: "console/secret/wJalrXUtnFEMI/K7MDENG+EXAMPLEKEY" };

let server: TributaryServer;
let browser: Browser;
let credentials: CredentialsDir;
let dataDir: string;

before(async () => {
  credentials = new CredentialsDir();
  credentials.write([credentialsEntry("operator", operator)]);
  dataDir = mkdtempSync(join(tmpdir(), "tributary-console-tls-"));
  server = await startServer({ limits: "off", auth: "sigv4", credentialsFile: credentials.path, tls: true, dataDir });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  credentials?.remove();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(page: Page, secretAccessKey: string): Promise<void> {
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Access key ID").fill(operator.accessKeyId);
  await form.getByLabel("Secret access key").fill(secretAccessKey);
  await form.getByRole("button", { name: "Sign in" }).click();
}

describe("e2e > console > sigv4 over TLS", () => {
  it("e2e > console > sigv4 over TLS > the settings say requests must be signed; unsigned API calls are refused", async () => {
    assert.ok(server.tlsUrl);
    const settings = await fetch(`${server.url}/_tributary/console/settings.json`);
    assert.deepEqual(await settings.json(), { region: "us-east-1", signed: true });
    const unsigned = await fetch(`${server.url}/`, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" }, body: "{}" });
    assert.equal(unsigned.status, 400);
    assert.equal((await unsigned.json()).__type, "MissingAuthenticationTokenException");
  });

  it("e2e > console > sigv4 over TLS > a wrong secret is refused with the server's error", async () => {
    const { page, errors } = await openPage(browser, { ignoreHTTPSErrors: true });
    await page.goto(server.tlsUrl!);
    await signIn(page, "not-the-secret");
    await page.getByRole("alert").filter({ hasText: "InvalidSignatureException: The request signature we calculated does not match the signature you provided" }).waitFor();
    await screenshot(page, "sigv4-0-refused");
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it("e2e > console > sigv4 over TLS > signed in, create, put, view, split and graph; sign out forgets the key", async () => {
    const { page, errors } = await openPage(browser, { ignoreHTTPSErrors: true });
    await page.goto(server.tlsUrl!);
    await signIn(page, operator.secretAccessKey);
    await page.getByText(`${operator.accessKeyId} · us-east-1`).waitFor();
    await consoleFlow(page, "console-signed", "sigv4");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("form", { name: "Sign in" }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
