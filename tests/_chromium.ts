/**
 * Tests in a real browser: headless Chromium (Debian's `chromium`, or `CHROMIUM_PATH`) driven
 * by `playwright-core`, with every request other than `file:` refused. Where Chromium is
 * missing the browser tests are ignored with a message saying so; with
 * `AUGMENT_REQUIRE_CHROMIUM=1` (set by `.ci/run`) they run, and fail, instead.
 *
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";

const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The Chromium executable: `CHROMIUM_PATH` (none when that is not a file), else the first of the
 * usual places found.
 */
export const CHROMIUM: string | undefined = (() => {
  const env = Deno.env.get("CHROMIUM_PATH");
  if (env) return isFile(env) ? env : undefined;
  return CANDIDATES.find(isFile);
})();

/** Whether a missing Chromium is a failure (CI) rather than a reason to skip. */
export const CHROMIUM_REQUIRED = Deno.env.get("AUGMENT_REQUIRE_CHROMIUM") === "1";

/** `ignore` for a browser test: true only when Chromium is missing and not required. */
export const ignoreBrowserTests: boolean = CHROMIUM === undefined && !CHROMIUM_REQUIRED;

if (ignoreBrowserTests) {
  console.warn(
    "Chromium not found (looked for CHROMIUM_PATH, " + CANDIDATES.join(", ") +
      "): browser tests are ignored. Install it with `apt-get install -y chromium`.",
  );
}

/** The flags the browser runs with: headless, no sandbox (root in CI), nothing phoning home. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Runs `fn` with a fresh headless browser, closed afterwards. */
export async function withBrowser<T>(fn: (browser: Browser) => Promise<T>): Promise<T> {
  if (CHROMIUM === undefined) {
    throw new Error(
      "AUGMENT_REQUIRE_CHROMIUM=1 but no Chromium was found: run `apt-get install -y chromium` " +
        "or set CHROMIUM_PATH",
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

/** A page loaded from disk, and what went wrong while it loaded and ran. */
export interface LoadedPage {
  readonly page: Page;
  /** Console messages of type `error`, and uncaught page errors. */
  readonly errors: string[];
  /** Requests refused because they were not `file:` (the page should make none). */
  readonly blocked: string[];
  /** Dialogs opened (`alert()`…): an injected script would show here. */
  readonly dialogs: string[];
}

/** Opens `path` (a local file) in a new page with the network blocked. */
export async function openFile(
  browser: Browser,
  path: string,
  options: { colorScheme?: "light" | "dark"; width?: number } = {},
): Promise<LoadedPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.colorScheme ?? "light",
    offline: true,
    javaScriptEnabled: true,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const blocked: string[] = [];
  const dialogs: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    blocked.push(url);
    return route.abort("blockedbyclient");
  });
  await page.goto(new URL(`file://${path}`).href, { waitUntil: "load" });
  return { page, errors, blocked, dialogs };
}
