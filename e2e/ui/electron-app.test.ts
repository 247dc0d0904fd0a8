// The real desktop app: Electron's binary launched by playwright-core's _electron on the built main
// (dist/electron/main.js, from `npm run build` + `npm run build:renderer`). Where there is no Electron
// binary (installed with ELECTRON_SKIP_BINARY_DOWNLOAD) or no display, the test is skipped, and its name
// says why.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { see } from './ui-harness.js';

const checkout = resolve(import.meta.dirname, '../..');
const mainScript = join(checkout, 'dist/electron/main.js');

function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const skipReason = !binary
  ? 'no Electron binary on this machine (installed with ELECTRON_SKIP_BINARY_DOWNLOAD)'
  : process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
    ? 'no display to open a window on (run under xvfb-run)'
    : !existsSync(mainScript) || !existsSync(join(checkout, 'dist/renderer/index.html'))
      ? 'the app is not built (npm run build && npm run build:renderer)'
      : null;

describe('the Electron app', () => {
  test.skipIf(skipReason !== null)(
    `opens its window, sandboxed, with window.api${skipReason ? ` — skipped: ${skipReason}` : ''}`,
    async () => {
      const app = await _electron.launch({ executablePath: binary ?? '', args: [mainScript] });
      try {
        const page = await app.firstWindow();
        await see.visible(page.getByRole('heading', { name: 'Cards' }));
        const sandboxed = await page.evaluate(() => ({
          api: typeof (globalThis as unknown as { api?: unknown }).api,
          require: typeof (globalThis as unknown as { require?: unknown }).require,
          process: typeof (globalThis as unknown as { process?: unknown }).process,
        }));
        expect(sandboxed).toEqual({ api: 'object', require: 'undefined', process: 'undefined' });
        const image = join(mkdtempSync(join(tmpdir(), 'astcard-electron-')), 'card.img');
        execFileSync('truncate', ['-s', '16M', image]);
        await page.evaluate(
          (path) =>
            (
              globalThis as unknown as { api?: { openCardImage(p: string): Promise<unknown> } }
            ).api?.openCardImage(path),
          image,
        );
        await see.visible(page.getByRole('button', { name: /card\.img: Empty/ }));
      } finally {
        await app.close();
      }
    },
  );
});
