/**
 * The UI under test: the renderer built by vite, served by the server of `astcard ui` (the same module,
 * in this process, so a test can give it stand-in drives) over the real core, and Debian's Chromium
 * driven by playwright-core (never a downloaded browser), with a fresh profile and a fresh home folder.
 * e2e/ui/astcard-ui.test.ts runs the real `astcard ui` command instead.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';
import type { DriveSource } from '../../electron/service/drive-source.js';
import { startUiServer, type UiServer } from '../../electron/service/ui-server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface UiSession {
  server: UiServer;
  /** The home folder the file browser starts in (fresh and empty unless the test put files there). */
  home: string;
  context: BrowserContext;
  page: Page;
  /** Saves a full-page PNG under test-results/screenshots/. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function buildRenderer(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'astcard-renderer-'));
  await build({
    configFile: resolve(import.meta.dirname, '../../renderer/vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

export async function openUi(
  options: { colorScheme?: 'light' | 'dark'; drives?: DriveSource } = {},
): Promise<UiSession> {
  const rendererDir = await buildRenderer();
  const home = mkdtempSync(join(tmpdir(), 'astcard-home-'));
  const server = await startUiServer({
    rendererDir,
    appVersion: 'test',
    files: { home, recentFile: join(home, '.astcard', 'recent-folders.json') },
    ...(options.drives ? { drives: options.drives } : {}),
  });
  const { context, page, errors } = await openChromium(server.url, options.colorScheme ?? 'light');
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    server,
    home,
    context,
    page,
    async screenshot(name) {
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      await server.close();
      rmSync(home, { recursive: true, force: true });
      rmSync(rendererDir, { recursive: true, force: true });
      if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    },
  };
}

/** Debian's Chromium on `url`, with a fresh profile; `errors` collects what the page reports. */
export async function openChromium(
  url: string,
  colorScheme: 'light' | 'dark',
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const profile = mkdtempSync(join(tmpdir(), 'astcard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1100, height: 800 },
    colorScheme,
  });
  // Chromium can still be writing into its profile as the context closes: retry, and never fail a test on it.
  context.on('close', () => {
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch {
      // A leftover profile folder in the temporary directory is harmless.
    }
  });
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // A Content-Security-Policy violation or a failed load shows as a console error: none is allowed.
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(url);
  return { context, page, errors };
}

/**
 * Chooses in the window's own file browser as a user does: each path's folder typed into its Folder field
 * and opened, then the file ticked (or, saving, its name typed; choosing a folder, that folder opened),
 * then the dialog's button pressed. Fails when the browser does not list the file.
 */
export async function pickPaths(page: Page, paths: string[]): Promise<void> {
  const dialog = fileBrowser(page);
  const action = dialog.getByRole('button', { name: /^(Choose|Choose \d+ files|Save|Use this folder)$/ });
  await see.visible(action);
  const label = ((await action.textContent()) ?? '').trim();
  const mode = label === 'Use this folder' ? 'folder' : label === 'Save' ? 'save' : 'open';
  for (const path of paths) {
    await openFolder(page, mode === 'folder' ? path : dirname(path));
    if (mode === 'save') await dialog.getByLabel('File name').fill(basename(path));
    if (mode === 'open') {
      // A choice of one file lists radio buttons, a choice of several checkboxes.
      const file = dialog.getByRole('radio', { name: basename(path), exact: true });
      await ((await file.count()) > 0
        ? file
        : dialog.getByRole('checkbox', { name: basename(path), exact: true })
      ).check();
    }
  }
  await dialog.getByRole('button', { name: /^(Choose|Choose \d+ files|Save|Use this folder)$/ }).click();
  // Only the file browser closes: the app may ask its next question in a dialog of its own at once.
  await see.count(dialog, 0);
}

/** The window's own file browser: the dialog with a Folder field (a question the app asks has none). */
function fileBrowser(page: Page): Locator {
  return page.getByRole('dialog').filter({ has: page.getByLabel('Folder', { exact: true }) });
}

/** Types a folder into the file browser's Folder field and waits until it lists that folder. */
export async function openFolder(page: Page, folder: string): Promise<void> {
  const dialog = fileBrowser(page);
  const field = dialog.getByLabel('Folder', { exact: true });
  // The browser opens on the home folder: wait until it has, or its answer can land between fill's
  // select-all and its typing, and the path is typed after the home folder's.
  await see.visible(dialog.getByRole('list', { name: /^In \// }));
  await field.fill(folder);
  expect(await field.inputValue()).toBe(folder);
  await field.press('Enter');
  await see.visible(dialog.getByRole('list', { name: `In ${folder}`, exact: true }));
}

/** Retries `check` (vitest assertions inside) until it passes or `timeout` runs out, then throws its error. */
export async function eventually(check: () => Promise<void>, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((wait) => setTimeout(wait, 100));
    }
  }
}

/** Web-first assertions over vitest's expect: each waits for the page to get there. */
export const see = {
  visible: (locator: Locator, timeout = 15_000) => locator.first().waitFor({ state: 'visible', timeout }),
  text: (locator: Locator, expected: string | RegExp, timeout?: number) =>
    eventually(async () => {
      // biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator; innerText is the text as laid out, spaces between parts included.
      const text = await locator.innerText({ timeout: 1000 });
      if (typeof expected === 'string') expect(text).toContain(expected);
      else expect(text).toMatch(expected);
    }, timeout),
  count: (locator: Locator, count: number) =>
    eventually(async () => expect(await locator.count()).toBe(count)),
  attribute: (locator: Locator, name: string, value: string) =>
    eventually(async () => expect(await locator.getAttribute(name, { timeout: 1000 })).toBe(value)),
  disabled: (locator: Locator, disabled = true) =>
    eventually(async () => expect(await locator.isDisabled({ timeout: 1000 })).toBe(disabled)),
};
