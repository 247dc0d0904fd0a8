// The batch screen in Debian's Chromium against the real core: open three card images, set up a batch
// with a CSV of per-card values, watch each card's progress, see the result and the history, export the
// report. Then station mode: cards "inserted" into a reader over time (image files appearing in a folder the
// drive list shows as removable drives) are provisioned until the count is reached.
// Every claim is checked on the cards themselves (inspect, fsck.fat, debugfs on each kd.img).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { DriveSource } from '../../electron/service/drive-source.js';
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
const dir = scratch('ui-batch');
const cards = ['slot-a.img', 'slot-b.img', 'slot-c.img'].map((name) => join(dir, name));
const image = fakeImage(dir, '2.0.1', 24 * MiB);
const csv = join(dir, 'cards.csv');
const exported = join(dir, 'exported.csv');
const reader = join(dir, 'reader');
const stationCsv = join(dir, 'station.csv');
const noChromium = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;

let ui: UiSession;

beforeAll(async () => {
  process.env.ASTCARD_BATCH_DIR = join(dir, 'batches');
  for (const card of cards) execFileSync('truncate', ['-s', '64M', card]);
  writeFileSync(
    csv,
    'hostname,ip,gateway,serial label\nshop-1,10.20.0.11,10.20.0.1,S1\nshop-2,10.20.0.12,10.20.0.1,S2\nshop-3,10.20.0.13,10.20.0.1,S3\n',
  );
  mkdirSync(reader, { recursive: true });
  writeFileSync(stationCsv, 'hostname,ip,gateway\nst-1,10.30.0.11,10.30.0.1\nst-2,10.30.0.12,10.30.0.1\n');
  if (!noChromium) ui = await openUi({ drives: readerSlots });
}, 120_000);

afterAll(async () => {
  await ui?.close();
  delete process.env.ASTCARD_BATCH_DIR;
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail')
    await ui.screenshot(`failed-batch-${context.task.name.replace(/\W+/g, '-')}`);
});

/** A multi-slot reader: each file in the folder is a removable drive with a card in it. */
const readerSlots: DriveSource = {
  async list() {
    return readdirSync(reader)
      .filter((name) => name.endsWith('.card'))
      .map((name) => ({
        device: join(reader, name),
        description: `Reader ${name}`,
        size: statSync(join(reader, name)).size,
        removable: true,
        system: false,
        virtual: false,
        mountpoints: [],
        readOnly: false,
      }));
  },
};

/** Inserts a card: made beside the reader, then moved in whole, as a card appears in one go. */
function insert(name: string, size: string): string {
  const made = join(dir, name);
  execFileSync('truncate', ['-s', size, made]);
  renameSync(made, join(reader, name));
  return join(reader, name);
}

function userConf(card: string): string {
  const kd = join(scratch('ui-batch-kd'), 'kd.img');
  writeFileSync(kd, mtoolsRead(card, 'mbr', 'kd.img'));
  return execFileSync('debugfs', ['-R', 'cat /rc.conf.d/user.conf', kd], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

describe.skipIf(noChromium !== null)(
  `the batch screen${noChromium ? ` — skipped: ${noChromium}` : ''}`,
  () => {
    test('a batch with a CSV writes every card with its own keydisk, shows progress and exports the report', async () => {
      const { page } = ui;
      for (const card of cards) {
        await page.getByRole('navigation').getByRole('button', { name: 'Cards', exact: true }).click();
        await page.getByRole('button', { name: 'Open card image…' }).click();
        await pickPaths(page, [card]);
        await see.text(page.locator('#card-title'), basename(card));
      }
      await page.getByRole('navigation').getByRole('button', { name: 'Batch' }).click();
      await page.getByLabel('Batch name').fill('order 7');
      await page.getByLabel(/^Images/).fill(image);
      await page.getByRole('radio', { name: 'A new keydisk' }).check();
      await page.getByLabel(/^Per-card values/).fill(csv);
      for (const card of cards)
        await page
          .locator('label.pick', { hasText: basename(card) })
          .getByRole('checkbox')
          .check();
      await ui.screenshot('batch-setup');
      await expectNoAxeViolations(page, 'the batch set-up');
      await page.getByRole('button', { name: /^Erase and write 3 cards/ }).click();
      await see.text(page.getByRole('alertdialog'), 'will be erased');
      await expectNoAxeViolations(page, 'the batch confirmation');

      // Every state each card row passes through, as the window shows it.
      // (A script string: this file is compiled without the DOM library.)
      await page.evaluate(`(() => {
        const seen = [];
        window.batchStates = seen;
        const record = () => {
          for (const row of document.querySelectorAll('[data-testid="batch-card"]')) {
            const state = row.querySelector('td')?.textContent + ':' + row.getAttribute('data-state');
            if (!seen.includes(state)) seen.push(state);
          }
        };
        new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true });
      })()`);
      await page.getByRole('alertdialog').getByRole('button', { name: 'Erase and write' }).click();
      await see.visible(page.getByRole('heading', { name: 'Writing the batch' }));
      await ui.screenshot('batch-running');
      await expectNoAxeViolations(page, 'a batch running');
      await see.text(page.locator('#batch-run'), 'Batch finished: 3 of 3 cards verified', 60_000);
      await ui.screenshot('batch-done');
      const states = (await page.evaluate('window.batchStates')) as string[];
      for (const card of cards) {
        expect(states).toContain(`${basename(card)}:write`);
        expect(states).toContain(`${basename(card)}:done`);
      }

      const hosts = new Set<string>();
      for (const card of cards) {
        expect((await inspectImageFile(card)).boot?.version).toBe('2.0.1');
        expect(fsckCard(card, 'mbr').status).toBe(0);
        const conf = userConf(card);
        const host = /^HOSTNAME="(shop-\d)"$/m.exec(conf)?.[1] as string;
        expect(conf).toContain(`EXTIP="10.20.0.1${host.slice(-1)}"`);
        await see.text(page.locator('[data-testid="batch-card"]', { hasText: basename(card) }), host);
        hosts.add(host);
      }
      expect(hosts.size).toBe(3);

      const entry = page.getByTestId('batch-history-entry').filter({ hasText: 'order-7' });
      await see.text(entry, 'order-7: 3 cards verified');
      await entry.locator('summary').click();
      await entry.getByLabel('Save report as').fill(exported);
      await entry.getByRole('button', { name: 'Export report' }).click();
      await see.visible(page.getByText(`Report saved to ${exported}`));
      await ui.screenshot('batch-history');
      await expectNoAxeViolations(page, 'the batch reports');
      const lines = readFileSync(exported, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(/^batch,slot,target,model,serial,size,fatSerial/);
      for (const host of hosts)
        expect(lines.some((line) => line.includes(`,${host},`) && line.includes(',true,'))).toBe(true);
    }, 180_000);

    test('a station provisions cards as they are inserted until its count, and leaves the rest alone', async () => {
      const { page } = ui;
      const present = insert('present.card', '64M');
      await page.getByRole('navigation').getByRole('button', { name: 'Batch' }).click();
      // The batch above is still on screen: start a new one.
      await page.getByRole('button', { name: 'New batch' }).click();
      await page.getByRole('radio', { name: /^Station/ }).check();
      await page.getByLabel('Batch name').fill('station 9');
      await page.getByLabel(/^Images/).fill(image);
      await page.getByRole('radio', { name: 'A new keydisk' }).check();
      await page.getByLabel(/^Per-card values/).fill(stationCsv);
      await page.getByLabel('Cards to make').fill('2');
      await page.getByLabel(/^Smallest card/).fill('0.05');
      await page.getByLabel('Which cards').selectOption('empty');
      await ui.screenshot('station-setup');
      await expectNoAxeViolations(page, 'the station set-up');
      await page.getByRole('button', { name: 'Start the station…' }).click();
      await see.text(page.getByRole('alertdialog'), 'will be erased without asking');
      await page.getByRole('alertdialog').getByRole('button', { name: 'Start the station' }).click();
      await see.visible(page.getByRole('heading', { name: 'Station running: insert cards' }));
      const counter = page.getByTestId('station-counter');
      await see.text(counter, '0 of 2 cards verified');
      // Cards inserted before the station is watching would count as already present.
      await see.visible(page.getByText('Ready: insert a card.'));

      const tooSmall = insert('small.card', '16M');
      await see.text(
        page.locator('[data-testid="batch-card"][data-state="refused"]'),
        'smaller than the station',
      );
      const first = insert('first.card', '64M');
      await see.text(counter, '1 of 2 cards verified', 60_000);
      await ui.screenshot('station-running');
      await expectNoAxeViolations(page, 'a station running');
      const second = insert('second.card', '64M');
      await see.text(counter, '2 of 2 cards verified', 60_000);
      await see.visible(page.getByRole('heading', { name: 'Station stopped' }));
      await ui.screenshot('station-done');
      await expectNoAxeViolations(page, 'a station stopped');

      const hosts = new Set<string>();
      for (const card of [first, second]) {
        expect((await inspectImageFile(card)).boot?.version).toBe('2.0.1');
        expect(fsckCard(card, 'mbr').status).toBe(0);
        const host = /^HOSTNAME="(st-\d)"$/m.exec(userConf(card))?.[1];
        expect(host).toMatch(/^st-[12]$/);
        hosts.add(host as string);
      }
      expect(hosts.size).toBe(2);
      // Neither the card that was there before the station started nor the refused one was touched.
      for (const card of [present, tooSmall]) {
        const bytes = readFileSync(card);
        expect(bytes.some((byte) => byte !== 0)).toBe(false);
      }

      const entry = page.getByTestId('batch-history-entry').filter({ hasText: 'station-9' });
      await see.text(entry, 'station-9: 2 cards verified');
    }, 180_000);
  },
);
