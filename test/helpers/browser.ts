/**
 * A real browser for the console's end-to-end tests: Debian's chromium (/usr/bin/chromium, which
 * scripts/test.sh installs) driven by playwright-core, and the console flow the tests share —
 * create a stream, put a record, see it in the data viewer, split a shard and see the map change,
 * see the traffic in the graphs — saving a screenshot at each step under test-artifacts/console/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { chromium, type Browser, type Page } from "playwright-core";

export const chromiumPath = "/usr/bin/chromium";
export const artifactsDir = join("test-artifacts", "console");

/** Bounds each wait for the page, well within a test's budget (no timing is asserted). */
const stepTimeoutMs = 15_000;

export async function launchBrowser(): Promise<Browser> {
  // Chromium refuses to run as root with its sandbox on (CI containers run as root).
  const args = process.getuid?.() === 0 ? ["--no-sandbox"] : [];
  return chromium.launch({ executablePath: chromiumPath, args }).catch((error: Error) => {
    throw new Error(`cannot start ${chromiumPath} (scripts/test.sh installs Debian's chromium): ${error.message}`, { cause: error });
  });
}

/** A page of a laptop's size, its console errors collected in `errors`; `ignoreHTTPSErrors` for the self-signed TLS tests. */
export async function openPage(browser: Browser, options: { dark?: boolean; ignoreHTTPSErrors?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: options.dark ? "dark" : "light", ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false });
  const page = await context.newPage();
  page.setDefaultTimeout(stepTimeoutMs);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  // A file the Content-Security-Policy blocked (refused API calls log errors too, and are expected).
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) errors.push(message.text());
  });
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}

/**
 * The flow, through the console's own controls only. `prefix` names the screenshots;
 * the console must be open at its start page (and signed in, under sigv4).
 */
export async function consoleFlow(page: Page, streamName: string, prefix: string): Promise<void> {
  try {
    await flowSteps(page, streamName, prefix);
  } catch (error) {
    // What the page showed when a step failed, beside the steps' screenshots.
    await screenshot(page, `${prefix}-failed`).catch(() => undefined);
    throw error;
  }
}

async function flowSteps(page: Page, streamName: string, prefix: string): Promise<void> {
  // Create a stream with one shard.
  await page.getByRole("heading", { name: "Data streams", level: 1 }).waitFor();
  const create = page.getByRole("form", { name: "Create a data stream" });
  await create.getByLabel("Stream name").fill(streamName);
  await create.getByLabel("Shard count").fill("1");
  await create.getByRole("button", { name: "Create stream" }).click();
  const link = page.getByRole("link", { name: streamName, exact: true });
  await link.waitFor();
  await page.getByRole("table", { name: "Data streams" }).getByRole("row", { name: new RegExp(`${streamName}.*ACTIVE`) }).waitFor();
  await screenshot(page, `${prefix}-1-streams`);
  await link.click();
  await page.getByRole("heading", { name: streamName, level: 1 }).waitFor();
  await page.getByText("Open shards").waitFor();

  // Put a record, then read it in the data viewer from the trim horizon.
  await page.getByRole("link", { name: "Data viewer" }).click();
  const put = page.getByRole("form", { name: "Put a test record" });
  await put.getByLabel("Partition key").fill("console-key");
  await put.getByLabel("Data (UTF-8 text)").fill('{"order": 42, "item": "console test"}');
  await put.getByRole("button", { name: "Put record" }).click();
  await put.getByText(/Put to shardId-000000000000 at sequence number \d+/).waitFor();
  const viewer = page.getByRole("form", { name: "Read records" });
  await viewer.getByLabel("Starting position").selectOption("TRIM_HORIZON");
  await viewer.getByLabel("Show data as").selectOption("json");
  await viewer.getByRole("button", { name: "Read records" }).click();
  const records = page.getByRole("table", { name: "Records" });
  await records.getByRole("cell", { name: "console-key" }).waitFor();
  assert.match(await records.locator("pre.record-data").first().textContent() ?? "", /"item": "console test"/);
  await viewer.getByLabel("Show data as").selectOption("hex");
  assert.match(await records.locator("pre.record-data").first().textContent() ?? "", /^00000000 {2}7b 22 6f 72 64 65 72/);
  await screenshot(page, `${prefix}-2-data-viewer`);
  await viewer.getByRole("button", { name: "Stop" }).click();

  // Split the shard: the map goes from one shard to three (the closed parent and two children).
  await page.getByRole("link", { name: "Shards", exact: true }).click();
  const map = page.locator("svg.shard-map");
  await map.waitFor();
  assert.equal(await map.getAttribute("data-shard-count"), "1");
  // Chosen with the keyboard, as the map allows: focus the shard, press Enter.
  await page.getByRole("button", { name: /^shardId-000000000000, open/ }).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("region", { name: "Selected shard shardId-000000000000" }).waitFor();
  await page.getByRole("button", { name: "Split shard" }).click();
  await page.locator('svg.shard-map[data-shard-count="3"][data-open-count="2"]').waitFor();
  await page.getByRole("button", { name: /^shardId-000000000000, closed/ }).waitFor();
  await page.getByRole("button", { name: /^shardId-000000000001, open, hash keys 0\.0% to 50\.0%/ }).waitFor();
  await page.getByRole("button", { name: /^shardId-000000000002, open, hash keys 50\.0% to 100\.0%/ }).waitFor();
  assert.equal(await map.locator("line.lineage").count(), 2);
  await screenshot(page, `${prefix}-3-shard-map`);

  // The graphs show the traffic: the record put above is counted in IncomingRecords.
  await page.getByRole("link", { name: "Monitoring" }).click();
  const incoming = page.locator('figure.graph[data-metric="Incoming records"]');
  await incoming.locator("canvas").waitFor();
  await page.waitForFunction(() => Number(document.querySelector('figure.graph[data-metric="Incoming records"]')?.getAttribute("data-sum") ?? 0) >= 1, undefined, { timeout: stepTimeoutMs });
  assert.match(await incoming.locator(".graph-summary").textContent() ?? "", /Sum 1\b/);
  await screenshot(page, `${prefix}-4-graphs`);
}
