/**
 * The UI under test: the renderer built by vite, served by the dev/test bridge over the real core, and
 * Debian's Chromium driven by playwright-core (never a downloaded browser), with a fresh profile.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';
import { type DevServer, startDevServer } from '../../electron/service/dev-server.js';
import type { DriveSource } from '../../electron/service/drive-source.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

const CHROMIUM_ARGS = [
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
  server: DevServer;
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
  const server = await startDevServer({
    rootDir: rendererDir,
    appVersion: 'test',
    ...(options.drives ? { drives: options.drives } : {}),
  });
  const profile = mkdtempSync(join(tmpdir(), 'astcard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1100, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
  });
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // A Content-Security-Policy violation or a failed load shows as a console error: none is allowed.
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(server.url);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    server,
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
      rmSync(profile, { recursive: true, force: true });
      rmSync(rendererDir, { recursive: true, force: true });
      if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    },
  };
}

/** Answers the path dialog the bridge shows in place of the system's file picker. */
export async function typePaths(page: Page, paths: string[]): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Path').fill(paths.join('\n'));
  await dialog.getByRole('button', { name: 'Choose' }).click();
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
