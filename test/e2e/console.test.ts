/**
 * The web console (docs/console.md) in a real browser against a server started as the CLI starts
 * one (startServer → start-server.ts, where the console is wired): what `/` answers to a browser
 * and to an S3 client, the asset routes, and the flow — create a stream, put a record, see
 * it in the data viewer, split a shard and see the map change, see the traffic in the graphs —
 * with screenshots in test-artifacts/console/, in the light and the dark theme.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { startServer, type TributaryServer } from "../../src/index.js";
import { consoleFlow, launchBrowser, openPage, screenshot } from "../helpers/browser.js";

let server: TributaryServer;
let browser: Browser;

before(async () => {
  server = await startServer({ limits: "off" });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe("e2e > console", () => {
  it("e2e > console > GET / is the console for a browser and ListBuckets for anything else", async () => {
    const page = await fetch(`${server.url}/`, { headers: { accept: "text/html,application/xhtml+xml" } });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    assert.match(await page.text(), /<script type="module" src="\/_tributary\/console\/app\.js">/);
    // Anything else goes on to the AWS APIs: an unsigned call gets their refusal, a signed one is S3's ListBuckets.
    const unsigned = await fetch(`${server.url}/`);
    assert.doesNotMatch(await unsigned.text(), /<script/);
    const s3 = new S3Client({ endpoint: server.url, region: server.region, forcePathStyle: true, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } });
    const buckets = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(buckets.Buckets ?? [], []);
    s3.destroy();
  });

  it("e2e > console > serves its assets, the vendored libraries and settings, and nothing else", async () => {
    const app = await fetch(`${server.url}/_tributary/console/app.js`, { headers: { "accept-encoding": "gzip" } });
    assert.equal(app.status, 200);
    assert.equal(app.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.match(await app.text(), /function render\(\)/);
    const etag = app.headers.get("etag");
    assert.ok(etag);
    const again = await fetch(`${server.url}/_tributary/console/app.js`, { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
    for (const vendor of ["vendor/uplot.js", "vendor/uplot.css", "vendor/aws4fetch.js"]) {
      const answer = await fetch(`${server.url}/_tributary/console/${vendor}`);
      assert.equal(answer.status, 200, vendor);
      assert.ok((await answer.text()).length > 1000, vendor);
    }
    assert.match(await (await fetch(`${server.url}/_tributary/console/vendor/uplot.js`)).text(), /export default uPlot;\n$/);
    assert.deepEqual(await (await fetch(`${server.url}/_tributary/console/settings.json`)).json(), { region: "us-east-1", accountId: "000000000000", signed: false });
    for (const missing of ["nope.js", "..%2Fconsole-pages.ts", "vendor/other.js", "index.ts", "app.ts"]) {
      assert.equal((await fetch(`${server.url}/_tributary/console/${missing}`)).status, 404, missing);
    }
  });

  it("e2e > console > create, put, view, split and graph in the light theme", async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(server.url);
    await consoleFlow(page, "console-light", "light");
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it("e2e > console > the dark theme follows the system and the toggle switches it", async () => {
    const { page, errors } = await openPage(browser, { dark: true });
    await page.goto(server.url);
    const toggle = page.getByRole("button", { name: "Dark theme" });
    await toggle.waitFor();
    assert.equal(await toggle.getAttribute("aria-pressed"), "true");
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await background();
    await page.getByRole("link", { name: "console-light" }).click();
    await page.getByRole("link", { name: "Shards", exact: true }).click();
    await page.locator("svg.shard-map").waitFor();
    await screenshot(page, "dark-shard-map");
    await toggle.click();
    await page.locator('#theme-toggle[aria-pressed="false"]').waitFor();
    assert.notEqual(await background(), dark);
    await screenshot(page, "light-after-toggle");
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
