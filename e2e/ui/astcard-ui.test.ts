// `astcard ui --no-open` as a user runs it: a separate process that prints its address, listens on
// 127.0.0.1 only (as ss sees it), refuses requests without its token or from another origin, and serves the
// whole app. Chromium then prepares a card through it, choosing the images and the card image in the
// window's own file browser, which opens at the home folder; a CSV is chosen the same way for a batch.
// Ctrl-C stops it cleanly. What the window says is checked on the card with mtools and fsck.fat.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { fakeImage, fsckCard, mtoolsNames, mtoolsRead } from '../../test/core/card/card-fixtures.js';
import { expectNoAxeViolations } from './axe.js';
import { CHROMIUM, openChromium, openFolder, pickPaths, SCREENSHOTS, see } from './ui-harness.js';

const MiB = 1024 * 1024;
const checkout = resolve(import.meta.dirname, '../..');
const noChromium = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;

// A fresh home: the file browser starts there, and the recent folders are kept under it.
const home = mkdtempSync(join('/tmp', 'astcard-ui-home-'));
const downloads = join(home, 'Downloads');
mkdirSync(downloads);
const older = fakeImage(home, '1.0.0', MiB);
const newer = fakeImage(home, '1.1.0', MiB + 4096);
const card = join(home, 'card.img');
const csv = join(downloads, 'cards.csv');

let astcard: ChildProcess;
let output = '';
let url = '';
let port = 0;
let context: BrowserContext;
let page: Page;
let errors: string[] = [];

const screenshot = (name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** The process's exit, whenever it comes. */
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

beforeAll(async () => {
  execFileSync('truncate', ['-s', '48M', card]);
  writeFileSync(csv, 'hostname,ip\npbx1,192.168.1.10/24\n');
  // The pages `astcard ui` serves are the checkout's dist/renderer, as `npm run build:renderer` makes them.
  await build({ configFile: join(checkout, 'renderer/vite.config.ts'), logLevel: 'warn' });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ASTCARD_BATCH_DIR: join(home, 'batches') };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  astcard = spawn(process.execPath, [ASTCARD_CLI, 'ui', '--no-open'], {
    cwd: checkout,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exited = new Promise((done) => astcard.once('exit', (code, signal) => done({ code, signal })));
  astcard.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  astcard.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const deadline = Date.now() + 60_000;
  while (!/astcard is running at (\S+)/.test(output)) {
    if (Date.now() > deadline || astcard.exitCode !== null)
      throw new Error(`astcard ui did not start:\n${output}`);
    await new Promise((wait) => setTimeout(wait, 100));
  }
  url = /astcard is running at (\S+)/.exec(output)?.[1] ?? '';
  port = Number(new URL(url).port);
  if (!noChromium) ({ context, page, errors } = await openChromium(url, 'light'));
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await context?.close();
  if (astcard && astcard.exitCode === null) astcard.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

afterEach(async (task) => {
  if (task.task.result?.state === 'fail' && page)
    await screenshot(`failed-astcard-ui-${task.task.name.replace(/\W+/g, '-')}`);
});

const nav = (name: string) => page.getByRole('navigation').getByRole('button', { name, exact: true });

describe('astcard ui --no-open', () => {
  test('prints its address and how to stop it, and says why it cannot write drives here', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{48}\/$/);
    expect(output).toContain('Press Ctrl-C here to stop astcard.');
    // No display in its environment: no browser is opened, the way in is said instead.
    expect(output).toContain(`ssh -L ${port}:127.0.0.1:${port}`);
    if (process.getuid?.() !== 0)
      expect(output).toContain('Writing to cards and USB drives needs administrator rights');
  });

  test('listens on 127.0.0.1 only: ss shows its one listening socket there', () => {
    const pid = astcard.pid;
    const sockets = execFileSync('ss', ['-Htlnp'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(`pid=${pid},`))
      .map((line) => line.trim().split(/\s+/)[3]);
    expect(sockets).toEqual([`127.0.0.1:${port}`]);
  });

  test('refuses a request without the token, and a socket from another origin', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${port}/assets/`)).status).toBe(403);
    expect((await fetch(url)).status).toBe(200);
    const socket = (origin: string, path: string) =>
      new Promise<number>((done) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { origin } });
        ws.once('open', () => {
          ws.close();
          done(101);
        });
        ws.once('unexpected-response', (_request, response) => done(response.statusCode ?? 0));
      });
    const api = `${new URL(url).pathname}api`;
    expect(await socket('http://attacker.example', api)).toBe(403);
    expect(await socket(`http://127.0.0.1:${port}`, '/api')).toBe(403);
    expect(await socket(`http://127.0.0.1:${port}`, api)).toBe(101);
  });

  describe.skipIf(noChromium !== null)(`in Chromium${noChromium ? ` — skipped: ${noChromium}` : ''}`, () => {
    test('prepares a card: images and card image chosen in the file browser, which opens at home', async () => {
      await see.visible(page.getByRole('heading', { name: 'Cards', level: 1 }));
      await page.getByRole('button', { name: 'Open card image…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Open a card image' });
      // Home first: the card image is there to tick without typing anything.
      await see.visible(dialog.getByRole('list', { name: `In ${home}`, exact: true }));
      await see.visible(dialog.getByRole('button', { name: 'Downloads' }));
      await screenshot('file-browser-card-image');
      await expectNoAxeViolations(page, 'the file browser (open a card image)');
      await dialog.getByRole('radio', { name: 'card.img', exact: true }).check();
      await dialog.getByRole('button', { name: 'Choose', exact: true }).click();
      await see.text(page.locator('#card-title'), 'card.img');

      await nav('Prepare a new card').click();
      await page.getByRole('button', { name: 'Add image files…' }).click();
      const images = page.getByRole('dialog', { name: 'Choose AstLinux images' });
      await see.visible(images.getByRole('list', { name: `In ${home}`, exact: true }));
      // Images and archives only: card.img is an .img too, so it shows; the .sha1 files do not.
      await see.visible(images.getByText('2 other files are not shown'));
      await images.getByRole('checkbox', { name: 'AstLinux-1.0.0.img', exact: true }).check();
      await images.getByRole('checkbox', { name: 'AstLinux-1.1.0.img', exact: true }).check();
      await see.visible(images.getByRole('list', { name: 'Chosen' }));
      await screenshot('file-browser-images');
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot('file-browser-images-dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await expectNoAxeViolations(page, 'the file browser (two images ticked)');
      await images.getByRole('button', { name: 'Choose 2 files' }).click();
      await see.visible(page.getByText(older));
      await see.visible(page.getByText(newer));
      await page.getByRole('button', { name: 'Next: choose cards' }).click();
      await page.locator('label.pick', { hasText: 'card.img' }).getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Next: options' }).click();
      await page.getByRole('radio', { name: /Make a new, empty keydisk/ }).check();
      await page.getByRole('button', { name: /^Erase and prepare/ }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Erase and prepare' }).click();
      await see.visible(page.getByRole('heading', { name: 'The card is ready' }), 90_000);
      await screenshot('astcard-ui-prepared');
      await expectNoAxeViolations(page, 'Prepare: the card is ready (astcard ui)');

      expect(mtoolsNames(card, 'mbr')).toEqual(
        expect.arrayContaining([
          'AstLinux-1.0.0.img',
          'AstLinux-1.1.0.img',
          'AstLinux-1.1.0.img.sha1',
          'kd.img',
        ]),
      );
      expect(mtoolsRead(card, 'mbr', 'AstLinux-1.1.0.img').equals(readFileSync(newer))).toBe(true);
      expect(fsckCard(card, 'mbr').status).toBe(0);
    });

    test('chooses a CSV for a batch in the file browser; the folder is then among the recent ones', async () => {
      await nav('Batch').click();
      await page.getByRole('button', { name: 'Choose CSV…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Choose the per-card values' });
      await see.visible(dialog.getByRole('list', { name: `In ${home}`, exact: true }));
      // Only CSV files are listed; the images are counted as not shown.
      await see.count(dialog.getByRole('radio'), 0);
      await dialog.getByRole('button', { name: 'Downloads' }).click();
      await see.visible(dialog.getByRole('list', { name: `In ${downloads}`, exact: true }));
      await dialog.getByRole('radio', { name: 'cards.csv', exact: true }).check();
      await screenshot('file-browser-csv');
      await expectNoAxeViolations(page, 'the file browser (a CSV)');
      await dialog.getByRole('button', { name: 'Choose', exact: true }).click();
      await see.attribute(page.getByLabel(/Per-card values/), 'value', csv);
      // The folders chosen from are offered first next time, and kept across restarts.
      await page.getByRole('button', { name: 'Choose CSV…' }).click();
      const again = page.getByRole('dialog', { name: 'Choose the per-card values' });
      await see.visible(
        again.getByRole('list', { name: 'Recent folders' }).getByRole('button', { name: 'Downloads' }),
      );
      await see.visible(
        again
          .getByRole('list', { name: 'Recent folders' })
          .getByRole('button', { name: /^astcard-ui-home-/ }),
      );
      await screenshot('file-browser-recent');
      await again.getByRole('button', { name: 'Cancel' }).click();
      await see.count(page.getByRole('dialog'), 0);
      const recent = JSON.parse(readFileSync(join(home, '.astcard', 'recent-folders.json'), 'utf8'));
      expect(recent).toEqual([downloads, home]);
    });

    test('a folder typed into the file browser that is not there says so, and the list stays', async () => {
      await page.getByRole('button', { name: 'Choose CSV…' }).click();
      await openFolder(page, downloads);
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Folder', { exact: true }).fill(join(home, 'no such folder'));
      await dialog.getByLabel('Folder', { exact: true }).press('Enter');
      await see.text(dialog.getByRole('alert'), `There is no folder ${join(home, 'no such folder')}.`);
      await see.visible(dialog.getByRole('list', { name: `In ${downloads}`, exact: true }));
      await screenshot('file-browser-missing-folder');
      await expectNoAxeViolations(page, 'the file browser (a folder that is not there)');
      await pickPaths(page, [csv]);
    });

    test('Help says where images come from, what a keydisk is and what to do with the card', async () => {
      await page.getByRole('button', { name: 'Help' }).click();
      const help = page.getByRole('complementary', { name: 'Help' });
      await see.visible(help.getByRole('heading', { name: 'What a keydisk is' }));
      await see.attribute(
        help.getByRole('link', { name: 'www.astlinux-project.org' }),
        'href',
        'https://www.astlinux-project.org/',
      );
      await see.text(help, 'Ctrl-C there stops astcard');
      await screenshot('help-panel');
      await expectNoAxeViolations(page, 'the Help panel');
      // The whole panel at once, in the dark theme too, for the eye that checks the screenshots.
      await page.setViewportSize({ width: 1100, height: 1300 });
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot('help-panel-dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 1100, height: 800 });
      await help.getByRole('button', { name: 'Close help' }).click();
      await see.count(page.getByRole('complementary', { name: 'Help' }), 0);
      expect(errors).toEqual([]);
    });
  });

  test('Ctrl-C stops it cleanly: exit code 0, the port closed', async () => {
    astcard.kill('SIGINT');
    const { code, signal } = await exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(output).toContain('astcard stopped.');
    const listening = execFileSync('ss', ['-Htln', `sport = :${port}`], { encoding: 'utf8' }).trim();
    expect(listening).toBe('');
  });
});
