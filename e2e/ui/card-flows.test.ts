// The desktop app's window, driven in Debian's Chromium against the real core on image-file cards: prepare
// a card from two images and a keydisk, see it boot the newest, add newer images by file and by URL, see
// the fallback when the newest is damaged, remove an image, and the refusals (wrong drive, system drive;
// a card too small is in honest-prepare.test.ts). Every claim the window makes is checked against
// mtools / fsck.fat on the card itself, and axe-core checks every page and dialog in both themes.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import drivelist from 'drivelist';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type DriveInfo, type DriveSource, drivelistSource } from '../../electron/service/drive-source.js';
import {
  fakeImage,
  fsckCard,
  mtoolsImage,
  mtoolsNames,
  mtoolsRead,
  scratch,
} from '../../test/core/card/card-fixtures.js';
import { expectNoAxeViolations } from './axe.js';
import { CHROMIUM, openUi, pickPaths, see, type UiSession } from './ui-harness.js';

const MiB = 1024 * 1024;
const dir = scratch('ui');
const card = join(dir, 'card.img');
const keydisk = join(dir, 'kd.img');
const older = fakeImage(dir, '1.0.0', MiB);
const newer = fakeImage(dir, '1.1.0', MiB + 4096);
const newest = fakeImage(dir, '1.2.0', MiB);
const webDir = scratch('ui-web');
const webImage = fakeImage(webDir, '1.3.0', 2 * MiB);
const systemDrive = (await drivelist.list()).find((drive) => drive.isSystem && (drive.size ?? 0) > 0);
/**
 * A CF card in an internal IDE/SATA adapter: a system (fixed) drive that is not the running system, so
 * the rules let it be written once its name is typed. No such hardware here: it is added to the real
 * drive list by name only, and the test never lets a write reach it.
 */
const internalAdapter: DriveInfo = {
  device: '/dev/astcard-ui-cf',
  description: 'CF Card Adapter',
  size: 1e9,
  removable: false,
  system: true,
  virtual: false,
  mountpoints: [],
  readOnly: false,
};
const withInternalAdapter: DriveSource = {
  list: async () => [...(await drivelistSource.list()), internalAdapter],
};

let ui: UiSession;
let web: Server;
let webUrl: string;

beforeAll(async () => {
  execFileSync('truncate', ['-s', '48M', card]);
  execFileSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-L', 'ASTKD', keydisk, '1024']);
  web = createServer((request, response) => {
    const name = (request.url ?? '/').slice(1);
    let body: Buffer;
    try {
      body = readFileSync(join(webDir, name));
    } catch {
      response.writeHead(404).end();
      return;
    }
    // Slowly, like a real download, so the window has progress to show.
    response.writeHead(200, { 'content-length': body.length });
    let at = 0;
    const timer = setInterval(() => {
      response.write(body.subarray(at, at + 64 * 1024));
      at += 64 * 1024;
      if (at >= body.length) {
        clearInterval(timer);
        response.end();
      }
    }, 60);
  });
  await new Promise<void>((done) => web.listen(0, '127.0.0.1', done));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}/AstLinux-1.3.0.img`;
  if (!noChromium) ui = await openUi({ drives: withInternalAdapter });
});

afterAll(async () => {
  await ui?.close();
  web?.close();
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail')
    await ui.screenshot(`failed-${context.task.name.replace(/\W+/g, '-')}`);
});

const banner = () => ui.page.getByTestId('boot-banner');

async function openCardImage(path: string) {
  await ui.page.getByRole('button', { name: 'Cards', exact: true }).click();
  await ui.page.getByRole('button', { name: 'Open card image…' }).click();
  await pickPaths(ui.page, [path]);
  // Opening ends in that card's view: wait for it, or a later click races the navigation.
  await see.text(ui.page.locator('#card-title'), basename(path));
  await see.visible(banner());
}

/** The Prepare steps from the start, whatever an earlier test left in them. */
async function startPrepare() {
  await ui.page.getByRole('navigation').getByRole('button', { name: 'Prepare a new card' }).click();
  const startOver = ui.page.getByRole('button', { name: 'Start over' });
  if (await startOver.isVisible()) await startOver.click();
}

async function prepare(
  images: string[],
  target: string,
  options: { keydisk?: string | 'new'; screenshots?: boolean } = {},
) {
  const { page } = ui;
  await startPrepare();
  await page.getByRole('button', { name: 'Add image files…' }).click();
  await pickPaths(page, images);
  if (options.screenshots) await ui.screenshot('prepare-images');
  await page.getByRole('button', { name: 'Next: choose cards' }).click();
  const row = page.locator('label.pick', { hasText: target });
  await row.getByRole('checkbox').check();
  if (options.screenshots) {
    await ui.screenshot('prepare-cards');
    await expectNoAxeViolations(page, 'Prepare: cards');
  }
  await page.getByRole('button', { name: 'Next: options' }).click();
  if (options.keydisk === 'new') {
    await page.getByRole('radio', { name: /Make a new, empty keydisk/ }).check();
  } else if (options.keydisk) {
    await page.getByRole('radio', { name: /Import a keydisk/ }).click();
    await pickPaths(page, [options.keydisk]);
    await see.visible(page.getByText(`Import a keydisk file (kd.img): ${options.keydisk}`));
  }
  if (options.screenshots) {
    await ui.screenshot('prepare-options');
    await expectNoAxeViolations(page, 'Prepare: options');
  }
  await page.getByRole('button', { name: /^Erase and prepare/ }).click();
  const dialog = page.getByRole('dialog');
  await see.text(dialog, 'will be erased');
  if (options.screenshots) {
    await ui.screenshot('prepare-confirm');
    await expectNoAxeViolations(page, 'the erase confirmation');
  }
  await dialog.getByRole('button', { name: 'Erase and prepare' }).click();
}

const noChromium = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;

describe.skipIf(noChromium !== null)(
  `the astcard window on image-file cards${noChromium ? ` — skipped: ${noChromium}` : ''}`,
  () => {
    test('the Cards list shows an opened, empty card image', async () => {
      await see.visible(ui.page.getByRole('heading', { name: 'Cards', level: 1 }));
      await ui.screenshot('cards-empty');
      await expectNoAxeViolations(ui.page, 'the Cards list, no card');
      await ui.page.getByRole('button', { name: 'New card image…' }).click();
      await see.visible(ui.page.getByLabel('New card image file'));
      await expectNoAxeViolations(ui.page, 'the new card image form');
      await ui.page.getByRole('button', { name: 'New card image…' }).click();
      await ui.page.getByRole('button', { name: 'Open card image…' }).click();
      await ui.screenshot('open-card-image-dialog');
      await expectNoAxeViolations(ui.page, 'the file browser');
      await pickPaths(ui.page, [card]);
      await see.text(banner(), 'This card is empty');
      await expectNoAxeViolations(ui.page, 'the card view of an empty card');
      await ui.page.getByRole('button', { name: '← Cards' }).click();
      // The row's name is what it shows: its title first, its state after.
      await see.visible(ui.page.getByRole('button', { name: /^card\.img\b.*Empty$/ }));
    });

    test('prepares a card from two images and a new keydisk; the result says what was written', async () => {
      await prepare([older, newer], 'card.img', { keydisk: 'new', screenshots: true });
      await see.visible(ui.page.getByRole('heading', { name: 'The card is ready' }), 60_000);
      await see.visible(ui.page.getByText(/AstLinux-1\.0\.0\.img .* written and read back/));
      await see.visible(ui.page.getByText('✓ Keydisk copied'));
      await see.visible(ui.page.getByRole('button', { name: 'Eject' }));
      await ui.screenshot('prepare-done');
      await expectNoAxeViolations(ui.page, 'Prepare: the card is ready');

      const names = mtoolsNames(card, 'mbr');
      expect(names).toEqual(
        expect.arrayContaining([
          'AstLinux-1.0.0.img',
          'AstLinux-1.1.0.img',
          'AstLinux-1.1.0.img.sha1',
          'kd.img',
        ]),
      );
      expect(mtoolsRead(card, 'mbr', 'AstLinux-1.1.0.img').equals(readFileSync(newer))).toBe(true);
      const madeKeydisk = join(scratch('ui-kd'), 'kd.img');
      writeFileSync(madeKeydisk, mtoolsRead(card, 'mbr', 'kd.img'));
      expect(execFileSync('e2label', [madeKeydisk], { encoding: 'utf8' }).trim()).toBe('ASTKD');
      expect(fsckCard(card, 'mbr').status).toBe(0);
    });

    test('the card view says it boots the newest image, checksum verified', async () => {
      await ui.page.getByRole('button', { name: 'Open card' }).click();
      await see.text(banner(), 'This card will boot AstLinux 1.1.0 — checksum verified');
      const rows = ui.page.locator('table.images tbody tr');
      await see.count(rows, 2);
      await see.text(rows.first(), '1.1.0');
      await see.text(rows.first(), 'boots');
      await see.visible(ui.page.getByText(/free of/));
      await ui.screenshot('card-view');
      await expectNoAxeViolations(ui.page, 'the card view');
      await ui.page.getByRole('button', { name: '← Cards' }).click();
      await see.visible(
        ui.page.getByRole('button', { name: /^card\.img\b.*AstLinux card — boots 1\.1\.0 ✓$/ }),
      );
      await ui.screenshot('cards');
      await expectNoAxeViolations(ui.page, 'the Cards list');
    });

    test('everything is reachable by keyboard: Tab to the card, Enter opens it', async () => {
      const { page } = ui;
      await page.locator('body').click({ position: { x: 5, y: 700 } });
      let focused = '';
      const isTheCard = (text: string) => text.startsWith('card.img') && text.includes('AstLinux card');
      for (let presses = 0; presses < 15 && !isTheCard(focused); presses++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate<string>('document.activeElement?.textContent ?? ""');
      }
      expect(isTheCard(focused), focused).toBe(true);
      await page.keyboard.press('Enter');
      await see.text(banner(), 'This card will boot AstLinux 1.1.0 — checksum verified');
    });

    test('follows the system colour scheme into dark', async () => {
      const { page } = ui;
      const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      const light = await background();
      await page.emulateMedia({ colorScheme: 'dark' });
      const dark = await background();
      const brightness = (rgb: string) =>
        (rgb.match(/\d+/g) ?? []).slice(0, 3).reduce((sum, n) => sum + Number(n), 0);
      expect(brightness(light)).toBeGreaterThan(600);
      expect(brightness(dark)).toBeLessThan(150);
      await ui.screenshot('card-view-dark');
      await page.emulateMedia({ colorScheme: 'light' });
    });

    test('imports a keydisk over the new one after asking, and exports it', async () => {
      const { page } = ui;
      const panel = page.locator('section.panel', { hasText: 'Keydisk' });
      await panel.getByRole('button', { name: 'Import…' }).click();
      await pickPaths(page, [keydisk]);
      const dialog = page.getByRole('dialog');
      await see.text(dialog, 'Its keys are lost when it is replaced');
      await expectNoAxeViolations(page, 'the replace-keydisk question');
      await dialog.getByRole('button', { name: 'Replace' }).click();
      await see.text(page.getByRole('status'), 'The keydisk is on the card.');
      expect(mtoolsRead(card, 'mbr', 'kd.img').equals(readFileSync(keydisk))).toBe(true);
      const exported = join(scratch('ui-export'), 'exported-kd.img');
      await panel.getByRole('button', { name: 'Export…' }).click();
      await pickPaths(page, [exported]);
      await see.text(page.getByRole('status'), `The keydisk was saved as ${exported}`);
      expect(readFileSync(exported).equals(readFileSync(keydisk))).toBe(true);
    });

    test('rewrites the loader; the card stays sound', async () => {
      const { page } = ui;
      await page
        .locator('section.panel', { hasText: 'Loader' })
        .getByRole('button', { name: /loader/ })
        .click();
      await see.text(page.getByRole('status'), 'The loader is up to date', 30_000);
      expect(mtoolsNames(card, 'mbr')).toEqual(
        expect.arrayContaining(['bzImage', 'loader.img', 'syslinux.cfg']),
      );
      expect(fsckCard(card, 'mbr').status).toBe(0);
      await see.text(banner(), 'This card will boot AstLinux 1.1.0 — checksum verified');
    });

    test('adds a newer image by file', async () => {
      await ui.page.getByRole('button', { name: 'Add image file…' }).click();
      await pickPaths(ui.page, [newest]);
      await see.text(banner(), 'This card will boot AstLinux 1.2.0 — checksum verified', 30_000);
      await see.text(ui.page.getByRole('status'), 'Added AstLinux-1.2.0.img');
      expect(mtoolsRead(card, 'mbr', 'AstLinux-1.2.0.img').equals(readFileSync(newest))).toBe(true);
    });

    test('adds a newer image from a web address', async () => {
      await ui.page.getByLabel('Add from a web address').fill(webUrl);
      await ui.page.getByRole('button', { name: 'Download and add' }).click();
      const progress = ui.page.locator('section.progress', { hasText: 'Adding AstLinux-1.3.0.img' });
      // The whole add as one figure; beside it the phase, its bytes, speed and time left.
      await see.text(
        progress,
        /Downloading AstLinux-1\.3\.0\.img · [\d.]+ [KM]?B of 2\.1 MB\s+[\d.]+ [KM]B\/s · (\d+ s left|almost done)/,
      );
      await see.text(progress, /[1-9]\d?%/);
      await ui.screenshot('card-adding-progress');
      await expectNoAxeViolations(ui.page, 'the card view, adding an image');
      await see.text(banner(), 'This card will boot AstLinux 1.3.0 — checksum verified', 30_000);
      expect(mtoolsRead(card, 'mbr', 'AstLinux-1.3.0.img').equals(readFileSync(webImage))).toBe(true);
      expect(mtoolsNames(card, 'mbr')).toContain('AstLinux-1.3.0.img.sha1');
    });

    test('a damaged newest image: the banner names the fallback', async () => {
      const damaged = join(scratch('ui-damaged'), 'AstLinux-1.3.0.img');
      const bytes = readFileSync(webImage);
      bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
      writeFileSync(damaged, bytes);
      execFileSync('mcopy', ['-o', '-i', mtoolsImage(card, 'mbr'), damaged, '::/AstLinux-1.3.0.img']);
      await ui.page.getByRole('button', { name: 'Verify all' }).click();
      await see.text(banner(), 'This card will boot AstLinux 1.2.0 — checksum verified');
      await see.text(banner(), 'AstLinux-1.3.0.img does not match its checksum');
      await see.text(banner(), 'falls back to AstLinux-1.2.0.img');
      await see.text(ui.page.locator('tr', { hasText: 'AstLinux-1.3.0.img' }), 'damaged');
      await ui.screenshot('card-fallback');
      await expectNoAxeViolations(ui.page, 'the card view, the newest image damaged');
    });

    test('removes an image, after asking', async () => {
      await ui.page.getByRole('button', { name: 'Remove AstLinux-1.3.0.img' }).click();
      const dialog = ui.page.getByRole('dialog');
      await see.text(dialog, 'AstLinux-1.3.0.img and its checksum file will be deleted');
      await expectNoAxeViolations(ui.page, 'the remove question');
      await dialog.getByRole('button', { name: 'Remove' }).click();
      await see.text(ui.page.getByRole('status'), 'Removed AstLinux-1.3.0.img');
      await see.count(ui.page.locator('table.images tbody tr'), 3);
      await see.text(banner(), 'This card will boot AstLinux 1.2.0 — checksum verified');
      const names = mtoolsNames(card, 'mbr');
      expect(names).not.toContain('AstLinux-1.3.0.img');
      expect(names).not.toContain('AstLinux-1.3.0.img.sha1');
      expect(fsckCard(card, 'mbr').status).toBe(0);
    });

    test('refuses to write onto the image it is asked to copy (wrong drive), before anything starts', async () => {
      const { page } = ui;
      const before = readFileSync(older);
      await openCardImage(older);
      await startPrepare();
      await page.getByRole('button', { name: 'Add image files…' }).click();
      await pickPaths(page, [older]);
      await page.getByRole('button', { name: 'Next: choose cards' }).click();
      const row = page.locator('label.pick', { hasText: 'AstLinux-1.0.0.img' });
      await see.text(
        row,
        'AstLinux-1.0.0.img is one of the images you chose to write: it cannot be the card as well. Choose a different card.',
      );
      // Flagged, so it cannot be chosen: the one rule that flags it is the one that refuses it.
      await see.disabled(row.getByRole('checkbox'));
      await see.disabled(page.getByRole('button', { name: 'Next: options' }));
      await expectNoAxeViolations(page, 'Prepare: cards, one of them a source');
      expect(readFileSync(older).equals(before)).toBe(true);
    });

    test('prepares two cards at once: a bar for each while writing, then a result for each', async () => {
      const { page } = ui;
      const pair = [join(dir, 'pair-a.img'), join(dir, 'pair-b.img')];
      for (const path of pair) {
        execFileSync('truncate', ['-s', '48M', path]);
        await openCardImage(path);
      }
      await startPrepare();
      // From the slow web server: the job runs long enough to see both bars.
      await page.getByLabel('Or a web address').fill(webUrl);
      await page.getByLabel('Or a web address').press('Enter');
      await page.getByRole('button', { name: 'Next: choose cards' }).click();
      for (const path of pair) {
        await page
          .locator('label.pick', { hasText: basename(path) })
          .getByRole('checkbox')
          .check();
      }
      await page.getByRole('button', { name: 'Next: options' }).click();
      await page.getByRole('button', { name: 'Erase and prepare 2 cards' }).click();
      for (const path of pair) {
        const dialog = page.getByRole('dialog');
        await see.text(dialog, basename(path));
        await dialog.getByRole('button', { name: 'Erase and prepare' }).click();
      }
      for (const [index, path] of pair.entries()) {
        await see.visible(
          page.getByRole('progressbar', { name: `Card ${index + 1} of 2: ${basename(path)}` }),
        );
      }
      await ui.screenshot('prepare-two-cards');
      await expectNoAxeViolations(page, 'Prepare: writing two cards');
      await see.visible(page.getByRole('heading', { name: 'All 2 cards are ready' }), 30_000);
      for (const path of pair) {
        const result = page.locator('article.result', { hasText: basename(path) });
        await see.text(result, 'AstLinux-1.3.0.img');
        await see.text(result, 'written and read back');
        expect(mtoolsRead(path, 'mbr', 'AstLinux-1.3.0.img').equals(readFileSync(webImage))).toBe(true);
        expect(fsckCard(path, 'mbr').status).toBe(0);
      }
    });

    test.runIf(systemDrive)(
      'hides the system drive and never lets it be chosen; an internal CF adapter wants its name typed',
      async () => {
        const { page } = ui;
        const device = systemDrive?.device ?? '';
        await page.getByRole('button', { name: 'Cards', exact: true }).click();
        await see.count(page.getByText(device, { exact: true }), 0);
        await page.getByLabel(/Show all drives/).check();
        const row = page.getByRole('button', { name: /System drive — hidden/ }).filter({ hasText: device });
        await see.visible(row);
        await see.disabled(row);
        // The core's words, as `astcard drives` prints them.
        await see.text(row, 'holds the system this computer is running; astcard never writes to it');
        await see.text(
          page.getByRole('button', { name: /CF Card Adapter/ }),
          'type astcard-ui-cf exactly to use it',
        );
        await ui.screenshot('cards-show-all');
        await expectNoAxeViolations(page, 'the Cards list, every drive shown');
        await startPrepare();
        await page.getByRole('button', { name: 'Add image files…' }).click();
        await pickPaths(page, [older]);
        await page.getByRole('button', { name: 'Next: choose cards' }).click();
        await see.disabled(page.locator('label.pick', { hasText: device }).getByRole('checkbox'));
        await page.locator('label.pick', { hasText: 'CF Card Adapter' }).getByRole('checkbox').check();
        await page.getByRole('button', { name: 'Next: options' }).click();
        await page.getByRole('button', { name: /^Erase and prepare/ }).click();
        const dialog = page.getByRole('dialog');
        await see.text(dialog, 'Type astcard-ui-cf to confirm');
        const go = dialog.getByRole('button', { name: 'Erase and prepare' });
        await see.disabled(go);
        await dialog.getByLabel('Drive name').fill('astcard-ui-c');
        await see.disabled(go);
        await ui.screenshot('prepare-system-drive');
        await expectNoAxeViolations(page, 'the typed-name question');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await see.count(page.getByRole('dialog'), 0);
      },
    );
  },
);
