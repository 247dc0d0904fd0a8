// What the batch screen and the Cards list say about batches is true (issue 16, item 5), driven in Debian's
// Chromium against the real core on image-file cards: cards a batch wrote show what they hold without
// being opened; a name used before is asked about, saying what going on under it means, and a batch whose
// cards would find no CSV row left is never started; a failed card is counted as failed, never as a card
// made, and shows no full bar; the form survives leaving the page, and a disabled start says why. axe-core
// runs on every state of the screen, in both themes. Each card is checked on the card itself.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  fakeImage,
  fsckCard,
  inspectImageFile,
  mtoolsRead,
  scratch,
} from '../../test/core/card/card-fixtures.js';
import { expectNoAxeViolations } from './axe.js';
import { CHROMIUM, openUi, pickPaths, see, type UiSession } from './ui-harness.js';

const MiB = 1024 * 1024;
const dir = scratch('ui-honest-batch');
const [cardA, cardB, cardC, cardD] = ['a.img', 'b.img', 'c.img', 'd.img'].map((name) => join(dir, name)) as [
  string,
  string,
  string,
  string,
];
const image = fakeImage(dir, '2.0.1', 4 * MiB);
const twoRows = join(dir, 'two.csv');
const threeRows = join(dir, 'three.csv');
const noChromium = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;

let ui: UiSession;

beforeAll(async () => {
  process.env.ASTCARD_BATCH_DIR = join(dir, 'batches');
  for (const card of [cardA, cardB, cardC, cardD]) execFileSync('truncate', ['-s', '64M', card]);
  writeFileSync(twoRows, 'hostname,ip\nshop-1,10.40.0.1\nshop-2,10.40.0.2\n');
  writeFileSync(threeRows, 'hostname,ip\nshop-1,10.40.0.1\nshop-2,10.40.0.2\nshop-3,10.40.0.3\n');
  if (!noChromium) ui = await openUi();
}, 120_000);

afterAll(async () => {
  await ui?.close();
  delete process.env.ASTCARD_BATCH_DIR;
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail')
    await ui.screenshot(`failed-honest-batch-${context.task.name.replace(/\W+/g, '-')}`);
});

const nav = (name: string) => ui.page.getByRole('navigation').getByRole('button', { name, exact: true });
const sha1 = (path: string) => createHash('sha1').update(readFileSync(path)).digest('hex');

async function openCardImage(path: string) {
  await nav('Cards').click();
  await ui.page.getByRole('button', { name: 'Open card image…' }).click();
  await pickPaths(ui.page, [path]);
  await see.text(ui.page.locator('#card-title'), basename(path));
}

/** The batch form from a clean start: a new batch if one is on screen, then the fields. */
async function setUpBatch(name: string, csv: string | null, cards: string[]) {
  const { page } = ui;
  await nav('Batch').click();
  const again = page.getByRole('button', { name: 'New batch' });
  if (await again.isVisible()) await again.click();
  await page.getByLabel('Batch name').fill(name);
  await page.getByLabel(/^Images/).fill(image);
  await page.getByRole('radio', { name: 'A new keydisk' }).check();
  await page.getByLabel(/^Per-card values/).fill(csv ?? '');
  for (const card of cards) {
    await page
      .locator('label.pick', { hasText: basename(card) })
      .getByRole('checkbox')
      .check();
  }
}

async function eraseAndWrite(cards: number) {
  const { page } = ui;
  await page.getByRole('button', { name: `Erase and write ${cards} card${cards === 1 ? '' : 's'}…` }).click();
  await expectNoAxeViolations(page, 'the batch confirmation');
  await page.getByRole('alertdialog').getByRole('button', { name: 'Erase and write' }).click();
}

function hostname(card: string): string {
  const kd = join(scratch('ui-honest-batch-kd'), 'kd.img');
  writeFileSync(kd, mtoolsRead(card, 'mbr', 'kd.img'));
  const conf = execFileSync('debugfs', ['-R', 'cat /rc.conf.d/user.conf', kd], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return /^HOSTNAME="([^"]*)"$/m.exec(conf)?.[1] ?? '';
}

describe.skipIf(noChromium !== null)(
  `what the batch screen says is true${noChromium ? ` — skipped: ${noChromium}` : ''}`,
  () => {
    test('cards a batch wrote show what they hold in the Cards list, without being opened', async () => {
      const { page } = ui;
      for (const card of [cardA, cardB, cardC, cardD]) await openCardImage(card);
      await nav('Cards').click();
      for (const card of [cardA, cardB]) {
        await see.text(page.getByRole('button', { name: new RegExp(basename(card)) }), 'Empty');
      }
      await setUpBatch('order 7', twoRows, [cardA, cardB]);
      await expectNoAxeViolations(page, 'the batch set-up');
      await eraseAndWrite(2);
      await see.text(page.locator('#batch-run'), 'Batch finished: 2 of 2 cards verified', 60_000);
      await expectNoAxeViolations(page, 'a batch finished');
      await nav('Cards').click();
      for (const card of [cardA, cardB]) {
        await see.text(
          page.getByRole('button', { name: new RegExp(basename(card)) }),
          'AstLinux card — boots 2.0.1',
        );
        expect((await inspectImageFile(card)).boot?.version).toBe('2.0.1');
      }
      expect([hostname(cardA), hostname(cardB)].sort()).toEqual(['shop-1', 'shop-2']);
      await ui.screenshot('cards-after-batch');
    });

    test('a name used before is asked about, saying what going on means; no batch starts without rows', async () => {
      const { page } = ui;
      const before = sha1(cardC);
      await setUpBatch('order 7', twoRows, [cardC]);
      const note = page.getByTestId('batch-name-used');
      await see.text(note, 'A batch named “order-7” was written before: 2 cards verified, 0 failed.');
      await see.text(note, 'Going on under this name adds these cards to its report.');
      await see.text(note, '0 of 2 rows are left');
      const start = page.getByRole('button', { name: 'Erase and write 1 card…' });
      await see.disabled(start);
      const missing = page.locator('#batch-missing');
      await see.text(
        missing,
        'Give the batch a new name, or choose to add these cards to the report of “order-7”.',
      );
      await see.text(missing, 'Each card takes its own row of the CSV, and no row is left for 1 card.');
      await ui.screenshot('batch-name-used');
      await expectNoAxeViolations(page, 'the batch set-up, a name used before');

      await note.getByRole('checkbox', { name: 'Add these cards to the report of “order-7”' }).check();
      await see.disabled(start);
      await page.getByLabel(/^Per-card values/).fill(threeRows);
      // Another CSV is another question: asked again.
      await see.text(note, '1 of 3 rows are left');
      await see.disabled(start);
      await note.getByRole('checkbox', { name: 'Add these cards to the report of “order-7”' }).check();
      await see.disabled(start, false);
      expect(sha1(cardC)).toBe(before);
      await start.click();
      await see.text(
        page.getByRole('alertdialog'),
        'They go into the report of “order-7”, after the 2 cards already in it.',
      );
      await page.getByRole('alertdialog').getByRole('button', { name: 'Erase and write' }).click();
      await see.text(page.locator('#batch-run'), 'Batch finished: 1 of 1 cards verified', 60_000);
      expect(hostname(cardC)).toBe('shop-3');
      expect(fsckCard(cardC, 'mbr').status).toBe(0);
      const entry = page.getByTestId('batch-history-entry').filter({ hasText: 'order-7' });
      await see.text(entry.locator('summary'), 'order-7: 3 cards verified');
    });

    test('a failed card is counted as failed, not as a card made, and shows no full bar', async () => {
      const { page } = ui;
      await setUpBatch('order 8', null, [cardA, cardD]);
      // The card image goes away before the batch reaches it, as a card pulled out would.
      rmSync(cardD);
      await eraseAndWrite(2);
      await see.text(page.locator('#batch-run'), 'Batch finished: 1 of 2 cards verified, 1 failed', 60_000);
      const failed = page.locator('[data-testid="batch-card"]', { hasText: 'd.img' });
      await see.attribute(failed, 'data-state', 'failed');
      await see.text(failed, 'Failed:');
      await see.count(failed.getByRole('progressbar'), 0);
      const written = page.locator('[data-testid="batch-card"]', { hasText: 'a.img' });
      await see.attribute(written.getByRole('progressbar'), 'aria-valuenow', '100');
      const entry = page.getByTestId('batch-history-entry').filter({ hasText: 'order-8' });
      await see.text(entry.locator('summary'), 'order-8: 1 card verified, 1 failed');
      await entry.locator('summary').click();
      const row = entry.locator('tbody tr', { hasText: 'd.img' });
      await see.text(row, 'Failed:');
      // No size was ever read from a card that was not there: none is shown.
      expect(await row.locator('td').nth(1).textContent()).toBe('—');
      await ui.screenshot('batch-failed-card');
      await expectNoAxeViolations(page, 'a batch with a failed card, and its report');
      expect((await inspectImageFile(cardA)).boot?.version).toBe('2.0.1');
      expect(existsSync(cardD)).toBe(false);
    });

    test('the form is kept when the page is left or reloaded, and a disabled start says why', async () => {
      const { page } = ui;
      await nav('Batch').click();
      const again = page.getByRole('button', { name: 'New batch' });
      if (await again.isVisible()) await again.click();
      await page.getByLabel('Batch name').fill('order 9');
      await page.getByLabel(/^Images/).fill(image);
      await page.getByRole('radio', { name: 'A copy of a keydisk template' }).check();
      await page.getByLabel(/^Per-card values/).fill(threeRows);
      for (const box of await page.getByRole('list', { name: 'Batch cards' }).getByRole('checkbox').all()) {
        if (await box.isChecked()) await box.uncheck();
      }
      const start = page.getByRole('button', { name: 'Erase and write 0 cards…' });
      await see.disabled(start);
      const missing = page.locator('#batch-missing');
      await see.text(missing, 'Choose the cards to write, below.');
      await see.text(missing, 'Give the path of the keydisk template.');
      expect(await start.getAttribute('aria-describedby')).toBe('batch-missing');
      await ui.screenshot('batch-not-ready');
      await expectNoAxeViolations(page, 'the batch set-up, not ready');

      await nav('Cards').click();
      await nav('Batch').click();
      await page.reload();
      await nav('Batch').click();
      await see.visible(page.getByLabel('Batch name'));
      expect(await page.getByLabel('Batch name').inputValue()).toBe('order 9');
      expect(await page.getByLabel(/^Images/).inputValue()).toBe(image);
      expect(await page.getByRole('radio', { name: 'A copy of a keydisk template' }).isChecked()).toBe(true);
      expect(await page.getByLabel(/^Per-card values/).inputValue()).toBe(threeRows);
      await see.text(missing, 'Choose the cards to write, below.');
    });
  },
);
