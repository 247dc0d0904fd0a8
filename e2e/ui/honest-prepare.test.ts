// What the window says about Prepare and a card's page is true, and keeps the user oriented (issue 16,
// items 5–7), driven in Debian's Chromium against the real core on image-file cards: a card too small is
// stopped at the Cards step by the rule that flags it; progress is one figure that never goes back, with
// the phase beside it; focus moves to each new step's heading; a failed write is marked failed and can be
// tried again with the same choices; leaving a card page during an add and coming back shows that add's
// progress and Cancel. axe-core runs on every page and dialog on the way, in both themes. Each claim about
// a card is checked on the card (mtools, fsck.fat, the card doctor).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  fakeImage,
  fsckCard,
  inspectImageFile,
  mtoolsNames,
  mtoolsRead,
  preparedCard,
  scratch,
} from '../../test/core/card/card-fixtures.js';
import { expectNoAxeViolations } from './axe.js';
import { CHROMIUM, openUi, pickPaths, see, type UiSession } from './ui-harness.js';

const MiB = 1024 * 1024;
const dir = scratch('ui-honest');
const older = fakeImage(dir, '1.0.0', MiB);
const newer = fakeImage(dir, '1.1.0', MiB + 4096);
const webDir = scratch('ui-honest-web');
const slowImage = fakeImage(webDir, '1.3.0', 2 * MiB);
const cancelledImage = fakeImage(webDir, '1.4.0', 2 * MiB);
const noChromium = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;

let ui: UiSession;
let web: Server;
let webBase: string;

beforeAll(async () => {
  web = createServer((request, response) => {
    let body: Buffer;
    try {
      body = readFileSync(join(webDir, (request.url ?? '/').slice(1)));
    } catch {
      response.writeHead(404).end();
      return;
    }
    // About 2 s a MiB: long enough to leave a page and come back while it downloads.
    response.writeHead(200, { 'content-length': body.length });
    let at = 0;
    const timer = setInterval(() => {
      if (response.destroyed) return clearInterval(timer);
      response.write(body.subarray(at, at + 48 * 1024));
      at += 48 * 1024;
      if (at >= body.length) {
        clearInterval(timer);
        response.end();
      }
    }, 100);
  });
  await new Promise<void>((done) => web.listen(0, '127.0.0.1', done));
  webBase = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  if (!noChromium) ui = await openUi();
}, 120_000);

afterAll(async () => {
  await ui?.close();
  web?.close();
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail')
    await ui.screenshot(`failed-honest-${context.task.name.replace(/\W+/g, '-')}`);
});

const nav = (name: string) => ui.page.getByRole('navigation').getByRole('button', { name, exact: true });
const banner = () => ui.page.getByTestId('boot-banner');
const focusedId = () => ui.page.evaluate<string>('document.activeElement?.id ?? ""');
const sha1 = (path: string) => createHash('sha1').update(readFileSync(path)).digest('hex');

async function openCardImage(path: string) {
  await nav('Cards').click();
  await ui.page.getByRole('button', { name: 'Open card image…' }).click();
  await pickPaths(ui.page, [path]);
  await see.text(ui.page.locator('#card-title'), path.split('/').pop() as string);
}

/** Prepare from the start: images, then the one card ticked. */
async function chooseImagesAndCard(images: string[], card: string) {
  const { page } = ui;
  await nav('Prepare a new card').click();
  const startOver = page.getByRole('button', { name: 'Start over' });
  if (await startOver.isVisible()) await startOver.click();
  await page.getByRole('button', { name: 'Add image files…' }).click();
  await pickPaths(page, images);
  await page.getByRole('button', { name: 'Next: choose cards' }).click();
  await page.locator('label.pick', { hasText: card }).getByRole('checkbox').check();
}

async function eraseAndConfirm() {
  await ui.page.getByRole('button', { name: /^Erase and prepare/ }).click();
  await ui.page.getByRole('dialog').getByRole('button', { name: 'Erase and prepare' }).click();
}

describe.skipIf(noChromium !== null)(
  `what the window says is true${noChromium ? ` — skipped: ${noChromium}` : ''}`,
  () => {
    test('a card image too small for the images: its warning stops Next and says why', async () => {
      const { page } = ui;
      const small = join(dir, 'small.img');
      execFileSync('truncate', ['-s', '16M', small]);
      const before = sha1(small);
      await openCardImage(small);
      await see.text(banner(), 'This card is empty');
      await expectNoAxeViolations(page, 'the card view of an empty card');
      await page.getByRole('button', { name: 'Prepare this card…' }).click();
      await page.getByRole('button', { name: 'Add image files…' }).click();
      await expectNoAxeViolations(page, 'the file browser');
      await pickPaths(page, [older, newer]);
      await expectNoAxeViolations(page, 'Prepare: images');
      await page.getByRole('button', { name: 'Next: choose cards' }).click();
      const row = page.locator('label.pick', { hasText: 'small.img' });
      // The warning: decimal units, like every size the app shows.
      await see.text(row, /small\.img is too small: it holds 17 MB, the card needs \d+ MB/);
      const next = page.getByRole('button', { name: 'Next: options' });
      await see.disabled(next);
      const why = page.locator('#cards-why');
      await see.text(why, 'small.img cannot be prepared with these images');
      expect(await next.getAttribute('aria-describedby')).toBe('cards-why');
      await ui.screenshot('prepare-too-small');
      await expectNoAxeViolations(page, 'Prepare: cards, one too small');
      // Unticked, it cannot be ticked again while it is too small; Next says what is missing now.
      await row.getByRole('checkbox').uncheck();
      await see.disabled(row.getByRole('checkbox'));
      await see.text(why, 'Choose at least one card to go on.');
      expect(sha1(small)).toBe(before);
    });

    test('an image without a published checksum is never called verified: the card says astcard recorded it', async () => {
      const unpublished = fakeImage(scratch('ui-unpublished'), '2.0.0', MiB, false);
      const card = join(dir, 'recorded.img');
      await preparedCard(card, 48 * MiB, [older, unpublished]);
      await openCardImage(card);
      await ui.page.getByRole('button', { name: 'Verify all' }).click();
      await see.text(
        banner(),
        'This card will boot AstLinux 2.0.0 — checksum matches the one astcard recorded (none was published)',
        30_000,
      );
      expect(await banner().textContent()).not.toMatch(/verified/);
      await see.text(
        ui.page.locator('tr', { hasText: 'AstLinux-2.0.0.img' }),
        'matches the checksum astcard recorded (none was published)',
      );
      await see.text(
        ui.page.locator('tr', { hasText: 'AstLinux-1.0.0.img' }),
        'verified against its published checksum',
      );
      await ui.screenshot('card-recorded-checksum');
      await expectNoAxeViolations(ui.page, 'the card view, an image with a recorded checksum');
      // The card itself notes which checksum astcard computed (names in lower case), and only that one.
      const recorded = mtoolsRead(card, 'mbr', 'astcard-recorded.txt').toString('utf8');
      expect(recorded).toMatch(/^[0-9a-f]{40} {2}astlinux-2\.0\.0\.img$/m);
      expect(recorded.toLowerCase()).not.toContain('astlinux-1.0.0.img');
      const report = await inspectImageFile(card);
      expect(report.images.find((image) => image.name === 'AstLinux-2.0.0.img')?.checksumSource).toBe(
        'recorded',
      );
    });

    test('prepare keeps keyboard focus on the new step: each heading after Next, the result at the end', async () => {
      const { page } = ui;
      const card = join(dir, 'focus.img');
      execFileSync('truncate', ['-s', '48M', card]);
      await openCardImage(card);
      await nav('Prepare a new card').click();
      const startOver = page.getByRole('button', { name: 'Start over' });
      if (await startOver.isVisible()) await startOver.click();
      await page.getByRole('button', { name: 'Add image files…' }).click();
      await pickPaths(page, [older]);
      await page.getByRole('button', { name: 'Next: choose cards' }).press('Enter');
      await see.visible(page.locator('#step-cards'));
      expect(await focusedId()).toBe('step-cards');
      await page.locator('label.pick', { hasText: 'focus.img' }).getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Next: options' }).press('Enter');
      await see.visible(page.locator('#step-options'));
      expect(await focusedId()).toBe('step-options');
      await page.getByRole('button', { name: 'Back' }).press('Enter');
      await see.visible(page.locator('#step-cards'));
      expect(await focusedId()).toBe('step-cards');
      await page.getByRole('button', { name: 'Next: options' }).press('Enter');
      await eraseAndConfirm();
      await see.visible(page.getByRole('heading', { name: 'The card is ready' }), 60_000);
      expect(await focusedId()).toBe('step-done');
      // Tab from the heading reaches the result's own buttons, not the top of the page.
      await page.keyboard.press('Tab');
      expect(await page.evaluate<string>('document.activeElement?.textContent ?? ""')).toBe('Open card');
      expect((await inspectImageFile(card)).boot?.version).toBe('1.0.0');
      expect(fsckCard(card, 'mbr').status).toBe(0);
    });

    test('progress is one figure for the whole prepare that never goes back, the phase named beside it', async () => {
      const { page } = ui;
      const card = join(dir, 'progress.img');
      execFileSync('truncate', ['-s', '48M', card]);
      await openCardImage(card);
      await nav('Prepare a new card').click();
      const startOver = page.getByRole('button', { name: 'Start over' });
      if (await startOver.isVisible()) await startOver.click();
      await page.getByLabel('Or a web address').fill(`${webBase}/AstLinux-1.3.0.img`);
      await page.getByLabel('Or a web address').press('Enter');
      await page.getByRole('button', { name: 'Next: choose cards' }).click();
      await page.locator('label.pick', { hasText: 'progress.img' }).getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Next: options' }).click();
      await expectNoAxeViolations(page, 'Prepare: options');
      await page.getByRole('button', { name: /^Erase and prepare/ }).click();
      await expectNoAxeViolations(page, 'the erase confirmation');
      // Every figure and phase the bar shows, in order (a script string: no DOM library in this file).
      await page.evaluate(`(() => {
        const seen = [];
        window.progressSeen = seen;
        const record = () => {
          const bar = document.querySelector('section.progress [role="progressbar"]');
          const phase = document.querySelector('section.progress .progress-phase');
          if (!bar || !phase) return;
          const entry = bar.getAttribute('aria-valuenow') + '|' + phase.textContent;
          if (seen[seen.length - 1] !== entry) seen.push(entry);
        };
        new MutationObserver(record).observe(document.body,
          { subtree: true, childList: true, attributes: true, characterData: true });
      })()`);
      await page.getByRole('dialog').getByRole('button', { name: 'Erase and prepare' }).click();
      const progress = page.locator('section.progress');
      await see.text(progress, /Downloading AstLinux-1\.3\.0\.img/);
      await see.text(progress.locator('.progress-percent'), /^[1-9]\d?%$/);
      await ui.screenshot('prepare-progress');
      await expectNoAxeViolations(page, 'Prepare: writing');
      await see.visible(page.getByRole('heading', { name: 'The card is ready' }), 60_000);
      const seen = (await page.evaluate('window.progressSeen')) as string[];
      const figures = seen.map((entry) => Number(entry.split('|')[0]));
      // Never backwards, from the download through formatting to the read-back.
      for (const [index, figure] of figures.entries()) {
        if (index > 0) expect(figure, seen.join('  ')).toBeGreaterThanOrEqual(figures[index - 1] as number);
      }
      // The phase beside the figure, and the phase's own bytes after it.
      expect(
        seen.some((entry) => /\|Downloading AstLinux-1\.3\.0\.img · [\d.]+ [KM]B of 2\.1 MB$/.test(entry)),
      ).toBe(true);
      const phases = new Set(seen.map((entry) => (entry.split('|')[1] ?? '').replace(/ ·.*$/, '')));
      expect(phases).toContain('Downloading AstLinux-1.3.0.img');
      expect([...phases].some((phase) => /^(Writing|Reading back) AstLinux-1\.3\.0\.img$/.test(phase))).toBe(
        true,
      );
      // The download is a share of the whole, not all of it.
      const lastDownload = seen.filter((entry) => entry.includes('|Downloading')).at(-1) ?? '';
      expect(Number(lastDownload.split('|')[0])).toBeLessThan(100);
      expect(mtoolsRead(card, 'mbr', 'AstLinux-1.3.0.img').equals(readFileSync(slowImage))).toBe(true);
      await expectNoAxeViolations(page, 'Prepare: the card is ready');
    });

    test('a failed write marks the Write step failed and can be tried again with the same choices', async () => {
      const { page } = ui;
      const card = join(dir, 'moved.img');
      execFileSync('truncate', ['-s', '48M', card]);
      await openCardImage(card);
      await chooseImagesAndCard([older, newer], 'moved.img');
      await page.getByRole('button', { name: 'Next: options' }).click();
      await page.getByRole('radio', { name: /Make a new, empty keydisk/ }).check();
      // The card image goes away between choosing it and writing it, as a card pulled out would.
      rmSync(card);
      await eraseAndConfirm();
      await see.visible(page.getByRole('heading', { name: 'The card could not be prepared' }), 60_000);
      const steps = page.getByRole('list', { name: 'Steps' }).getByRole('listitem');
      await see.count(steps, 5);
      // As a screen reader reads each step: its name and its state (the marks are hidden from it).
      for (const [index, name] of ['Images', 'Cards', 'Options'].entries()) {
        expect(await steps.nth(index).textContent()).toContain(`${name} (done)`);
      }
      // The optional set-up step was passed by: it says so, and wears no tick.
      expect(await steps.nth(3).textContent()).toBe('–Set up (skipped)');
      expect(await steps.nth(4).textContent()).toContain('Write (failed)');
      await see.attribute(steps.nth(4), 'aria-current', 'step');
      expect(await steps.nth(4).locator('.step-number').textContent()).toBe('✕');
      await ui.screenshot('prepare-failed');
      await expectNoAxeViolations(page, 'Prepare: failed');

      execFileSync('truncate', ['-s', '48M', card]);
      await page.getByRole('button', { name: 'Try again' }).click();
      const dialog = page.getByRole('dialog');
      await see.text(dialog, 'moved.img');
      await dialog.getByRole('button', { name: 'Erase and prepare' }).click();
      await see.visible(page.getByRole('heading', { name: 'The card is ready' }), 60_000);
      await see.visible(page.getByText('✓ Keydisk copied'));
      // The same choices: both images and a keydisk.
      expect(mtoolsNames(card, 'mbr')).toEqual(
        expect.arrayContaining(['AstLinux-1.0.0.img', 'AstLinux-1.1.0.img', 'kd.img']),
      );
      expect((await inspectImageFile(card)).boot?.version).toBe('1.1.0');
      expect(fsckCard(card, 'mbr').status).toBe(0);
    });

    test('leaving a card page during an add and coming back shows that add, its progress and Cancel', async () => {
      const { page } = ui;
      const card = join(dir, 'busy.img');
      await preparedCard(card, 48 * MiB, [older]);
      await openCardImage(card);
      await see.text(banner(), 'This card will boot AstLinux 1.0.0');
      await expectNoAxeViolations(page, 'the card view');

      await page.getByLabel('Add from a web address').fill(`${webBase}/AstLinux-1.3.0.img`);
      await page.getByRole('button', { name: 'Download and add' }).click();
      await see.visible(page.locator('section.progress', { hasText: 'Adding AstLinux-1.3.0.img' }));
      await page.getByRole('button', { name: '← Cards' }).click();
      await page.getByRole('button', { name: /busy\.img/ }).click();
      const progress = page.locator('section.progress', { hasText: 'Adding images' });
      await see.visible(progress, 5_000);
      await see.text(progress, /\d+%/);
      await see.text(progress, 'The card is read again when this is done.');
      await see.visible(progress.getByRole('button', { name: 'Cancel' }));
      await ui.screenshot('card-busy-return');
      await expectNoAxeViolations(page, 'the card page, an add running');
      await see.text(banner(), 'This card will boot AstLinux 1.3.0', 60_000);
      expect(mtoolsRead(card, 'mbr', 'AstLinux-1.3.0.img').equals(readFileSync(slowImage))).toBe(true);

      // Again, and this time Cancel from the page come back to: the card is left as it was.
      await page.getByLabel('Add from a web address').fill(`${webBase}/AstLinux-1.4.0.img`);
      await page.getByRole('button', { name: 'Download and add' }).click();
      await see.visible(page.locator('section.progress', { hasText: 'Adding AstLinux-1.4.0.img' }));
      await page.getByRole('button', { name: '← Cards' }).click();
      // The list says what is happening to the card, not what it held before.
      const row = page.getByRole('button', { name: /busy\.img/ });
      await see.text(row, 'Images being added…');
      await expectNoAxeViolations(page, 'the Cards list, a card busy');
      await row.click();
      await page
        .locator('section.progress', { hasText: 'Adding images' })
        .getByRole('button', { name: 'Cancel' })
        .click();
      await see.text(banner(), 'This card will boot AstLinux 1.3.0', 30_000);
      await see.count(page.locator('section.progress'), 0);
      await see.text(page.getByRole('button', { name: 'Add image file…' }), 'Add image file…');
      await see.disabled(page.getByRole('button', { name: 'Add image file…' }), false);
      expect(mtoolsNames(card, 'mbr')).not.toContain('AstLinux-1.4.0.img');
      expect(readFileSync(cancelledImage).length).toBe(2 * MiB);
      expect(fsckCard(card, 'mbr').status).toBe(0);
      await nav('Cards').click();
      await see.text(page.getByRole('button', { name: /busy\.img/ }), 'AstLinux card — boots 1.3.0');
      await expectNoAxeViolations(page, 'the Cards list');
    });
  },
);
