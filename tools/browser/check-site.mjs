// The dashboard's browser check: load every page of a built site in Debian's headless chromium.
//
//   node tools/browser/check-site.mjs SITE_DIR SCREENSHOT_DIR PAGE ...
//
// For every .html file under SITE_DIR: console errors and page errors, requests that fail or leave the site
// (anything not file:// is refused and recorded), links and fragment targets inside the site that do not resolve,
// horizontal overflow at phone width, and axe-core's violations (axe injected from node_modules, never fetched).
// Each PAGE (a path relative to SITE_DIR, optionally with a #fragment) is also screenshotted at desktop and phone width.
// Prints one JSON object on stdout; the Python test (tests/reports/test_dashboard_browser.py) judges it.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const [siteDir, shotDir, ...shotPages] = process.argv.slice(2);
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
];

function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? htmlFiles(path) : name.endsWith(".html") ? [path] : [];
  });
}

const profile = mkdtempSync(join(tmpdir(), "sigvec-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.SIGVEC_CHROMIUM || "/usr/bin/chromium", headless: true, args: FLAGS, viewport: DESKTOP,
});
const found = { pages: 0, console: [], outside: [], failed: [], broken: [], overflow: [], violations: [], shots: [], focus: null };
const page = context.pages()[0] ?? (await context.newPage());
let current = "";
page.on("console", (message) => { if (message.type() === "error") found.console.push(`${current}: ${message.text()}`); });
page.on("pageerror", (error) => found.console.push(`${current}: ${error.message}`));
page.on("request", (request) => { if (!request.url().startsWith("file://")) found.outside.push(`${current}: ${request.url()}`); });
page.on("requestfailed", (request) => found.failed.push(`${current}: ${request.url()}`));

const ids = new Map();
function idsOf(file) {
  // The ids a page declares, read from its text (the site is static HTML: what the file says is what loads).
  if (!ids.has(file)) ids.set(file, new Set([...readFileSync(file, "utf8").matchAll(/\sid="([^"]*)"/g)].map((m) => m[1])));
  return ids.get(file);
}

for (const file of htmlFiles(siteDir).sort()) {
  current = relative(siteDir, file);
  found.pages += 1;
  await page.setViewportSize(DESKTOP);
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  const targets = await page.$$eval("a[href], link[href]", (nodes) => nodes.map((node) => node.href));
  for (const target of targets) {
    if (!target.startsWith("file://")) continue;
    const url = new URL(target);
    const path = fileURLToPath(url);
    if (!existsSync(path)) found.broken.push(`${current}: ${relative(siteDir, path)}`);
    else if (url.hash && !idsOf(path).has(decodeURIComponent(url.hash.slice(1)))) found.broken.push(`${current}: ${relative(siteDir, path)}${url.hash}`);
  }
  await page.addScriptTag({ path: axePath });
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"], preload: false }));
  for (const violation of results.violations) {
    found.violations.push({ page: current, id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.length });
  }
  await page.setViewportSize(PHONE);
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  if (widths[0] > widths[1]) found.overflow.push(`${current}: ${widths[0]} px wide at ${widths[1]} px`);
}

// Screenshots of what a reader first sees (the viewport, not the whole page) at both widths; a PAGE may end in
// #fragment to show that part of the page.
for (const target of shotPages) {
  const [path, hash] = target.split("#");
  for (const [label, size] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    await page.setViewportSize(size);
    await page.goto(pathToFileURL(join(siteDir, path)).href + (hash ? `#${hash}` : ""));
    const shot = join(shotDir, `${path.replaceAll("/", "_").replace(/\.html$/, "")}${hash ? `_${hash}` : ""}-${label}.png`);
    await page.screenshot({ path: shot });
    found.shots.push({ page: target, label, path: shot, width: size.width, height: size.height });
  }
}

// Keyboard: from the top of the matrix, the first Tab reaches the skip link, and following it moves focus into main.
await page.setViewportSize(DESKTOP);
await page.goto(pathToFileURL(join(siteDir, "index.html")).href);
await page.keyboard.press("Tab");
const first = await page.evaluate(() => document.activeElement?.textContent ?? "");
await page.keyboard.press("Enter");
await page.keyboard.press("Tab");
const next = await page.evaluate(() => Boolean(document.activeElement?.closest("main")));
found.focus = { first, nextInMain: next };

await context.close();
rmSync(profile, { recursive: true, force: true });
process.stdout.write(JSON.stringify(found) + "\n");
