// The transcript page in a real browser (Debian's chromium driven by playwright-core, under the
// page's own Content-Security-Policy): a finished task's timeline shows the command and its
// output; a running task's page shows a new step as it happens, without anyone reloading it.
// A screenshot of the finished page is left in test-output/ for people to look at.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { startTranscriptFixture, type TranscriptFixture } from "./transcript-fixture.ts";

const CHROMIUM = "/usr/bin/chromium";

/** What the functions run in the page use of it (the tests are compiled without the DOM's types). */
interface BrowserGlobals {
  document: { getElementById(id: string): { textContent: string | null } | null };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: { childList: boolean; subtree: boolean }): void };
  getComputedStyle(element: unknown): { maxWidth: string };
}
const OUTPUT_DIR = fileURLToPath(new URL("../../test-output/", import.meta.url));
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)`;

describe("transcript page in a browser", { skip, timeout: 240_000 }, () => {
  let f: TranscriptFixture;
  let browser: Browser;

  before(async () => {
    f = await startTranscriptFixture();
    // Root in a container: chromium's own sandbox needs user namespaces it may not have.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  after(async () => {
    await browser?.close();
    await f?.close();
  });

  it("shows a finished task's command and output in its timeline", async () => {
    const id = await f.run("hello task");
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const refused: string[] = [];
    page.on("console", (m) => m.type() === "error" && refused.push(m.text()));
    await page.goto(`${f.base}${await f.link(id)}`);
    const step = page.locator("#timeline li.step.tool");
    assert.equal(await step.count(), 1);
    assert.match((await step.locator("pre.command").textContent()) ?? "", /\$ echo hello-from-the-step/);
    assert.match((await step.locator("pre.output").textContent()) ?? "", /hello-from-the-step/);
    assert.match((await page.locator(".answer").textContent()) ?? "", /Done: bold and <b>raw html<\/b>\./);
    // The stylesheet applied (served from its route, allowed by the CSP).
    assert.equal(await page.locator("main").evaluate((m) => (globalThis as unknown as BrowserGlobals).getComputedStyle(m).maxWidth), "960px");
    assert.deepEqual(refused, []);
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: `${OUTPUT_DIR}transcript-finished.png`, fullPage: true });
    await page.close();
  });

  it("adds a running task's new step to the open page by itself", async () => {
    const id = await f.run("gated task", { until: "running" });
    const page = await browser.newPage();
    const messages: string[] = [];
    page.on("console", (m) => messages.push(`${m.type()}: ${m.text()}`));
    let loads = 0;
    page.on("load", () => loads++);
    await page.goto(`${f.base}${await f.link(id)}`);
    await page.locator("#timeline", { hasText: "first-live-step" }).waitFor({ timeout: 30_000 });
    assert.ok(!((await page.locator("#timeline").textContent()) ?? "").includes("second-live-step"));
    // Tells the test when the step shows up in this very document (the page reloads itself once the task ends).
    await page.evaluate(() => {
      const { document, MutationObserver } = globalThis as unknown as BrowserGlobals;
      const timeline = document.getElementById("timeline")!;
      new MutationObserver(() => {
        if (timeline.textContent?.includes("second-live-step")) console.log("second step appeared");
      }).observe(timeline, { childList: true, subtree: true });
    });
    const loadsBefore = loads;
    const appeared = page.waitForEvent("console", { predicate: (m) => m.text() === "second step appeared", timeout: 30_000 });
    f.openGate();
    await appeared;
    assert.equal(loads, loadsBefore, "the step appeared without a reload");
    // At the end the page shows the answer (it reloads itself once, keeping the scroll).
    await page.locator(".answer", { hasText: "Both steps ran." }).waitFor({ timeout: 30_000 });
    assert.match((await page.locator("#status").textContent()) ?? "", /succeeded/);
    assert.deepEqual(
      messages.filter((m) => m.startsWith("error")),
      [],
    );
    await page.close();
  });
});
