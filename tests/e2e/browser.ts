import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium, driven headless by playwright-core (no browser download). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const PHONE = { width: 375, height: 812 };
export const DESKTOP = { width: 1280, height: 900 };
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), "screenshots");

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/**
 * Chromium does not start with a preloaded library (its zygote and crash handler die
 * under the faked clock of `npm run test:next-year`), so it never gets one: the browser
 * keeps the machine's real clock while the app and its services move.
 */
function browserEnv(): Record<string, string> {
  const { LD_PRELOAD: _, ...env } = process.env;
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

export async function launch(options: { javaScriptEnabled?: boolean } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "clinic-chromium-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    args: FLAGS,
    headless: true,
    viewport: PHONE,
    acceptDownloads: true,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    env: browserEnv(),
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Screenshots of the page at phone and desktop width, under tests/e2e/screenshots/. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  const before = page.viewportSize() ?? PHONE;
  for (const [label, size] of [
    ["phone", PHONE],
    ["desktop", DESKTOP],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SHOTS, `${name}.${label}.png`), fullPage: true });
  }
  await page.setViewportSize(before);
}

/** Screenshots at both widths, then no serious accessibility violation on the page as shown. */
export async function checkPage(page: Page, name: string): Promise<AxeViolation[]> {
  await screenshots(page, name);
  return seriousA11yViolations(page);
}

let axeSource: string | null = null;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's WCAG 2.1 A/AA checks on the page as shown; only serious and critical ones. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(
    createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
    "utf8",
  );
  // Evaluated through the DevTools protocol, so the page's CSP does not block it.
  await page.evaluate(axeSource);
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })`,
  )) as { violations: AxeViolation[] };
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
}

/** Bytes of HTML, CSS and JS a first visit to `url` transfers (fresh cache). */
export async function firstLoadBytes(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const sizes = new Map<string, { type: string; bytes: number }>();
  cdp.on("Network.responseReceived", (e) => sizes.set(e.requestId, { type: e.type, bytes: 0 }));
  cdp.on("Network.loadingFinished", (e) => {
    const entry = sizes.get(e.requestId);
    if (entry) entry.bytes = e.encodedDataLength;
  });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForTimeout(50);
  await page.close();
  const total = { html: 0, css: 0, js: 0, other: 0 };
  for (const { type, bytes } of sizes.values()) {
    if (type === "Document") total.html += bytes;
    else if (type === "Stylesheet") total.css += bytes;
    else if (type === "Script") total.js += bytes;
    else total.other += bytes;
  }
  return { ...total, total: total.html + total.css + total.js };
}
