/**
 * The console from the build, as npm installs it: bin/tributary runs dist/bundle/tributary.mjs,
 * which reads the console's files from dist/console/assets (scripts/bundle.mjs copies them) and
 * the vendored libraries from node_modules; the console's flow then runs against the command's
 * defaults. Like test/cli/launcher.test.ts it needs `npm run build`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { startCliServer, type CliServer } from "../cli/cli-process.js";
import { consoleFlow, launchBrowser, openPage } from "../helpers/browser.js";

let server: CliServer;
let browser: Browser;

before(async () => {
  server = await startCliServer({ launcher: true, args: ["--port", "0", "--storage", "memory"] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe("e2e > console > built", () => {
  it("e2e > console > built > serves every file the page loads", async () => {
    const html = await (await fetch(`${server.url}/`, { headers: { accept: "text/html" } })).text();
    const linked = [...html.matchAll(/(?:href|src)="(\/_tributary\/console\/[^"]+)"/g)].map((match) => match[1]!);
    assert.ok(linked.length >= 5, html);
    for (const path of [...linked, "/_tributary/console/streams.js", "/_tributary/console/vendor/aws4fetch.js"]) {
      assert.equal((await fetch(`${server.url}${path}`)).status, 200, path);
    }
  });

  it("e2e > console > built > the flow runs with the command's defaults (streams CREATING and UPDATING for 500 ms, AWS's limits)", async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(server.url);
    await page.getByText("No data streams yet").waitFor();
    await consoleFlow(page, "console-built", "built");
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
