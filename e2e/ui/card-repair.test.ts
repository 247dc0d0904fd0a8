// Repair in the card view: a card prepared by the core, then damaged as another system would leave it (an
// image's chain running into the keydisk's, so two files cross), is opened in the window. The view says
// the file system is damaged and offers Repair; Repair asks first, saying what it will do; the repair runs
// as the writer job every change uses, the view says what it put right and reads the card again. The card
// itself is then the proof: fsck.fat -n finds nothing, the loader's own plan still boots the image, and
// the keydisk is byte for byte what it was. axe-core checks each step in both themes; each step is
// photographed into test-results/screenshots/.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { MemoryBlockDevice } from '../../electron/core/block/memory-block-device.js';
import { readKeydiskFromCard } from '../../electron/core/card/keydisk.js';
import { predictBoot } from '../../test/core/card/boot-oracle.js';
import { fakeImage, removeScratch, scratch } from '../../test/core/card/card-fixtures.js';
import { fsckVolume, harnessCard, mke2fsKeydisk } from '../../test/core/card/cut-retry-harness.js';
import { chainOf, setFat } from '../../test/core/card/fat-damage.js';
import { expectNoAxeViolations } from './axe.js';
import { openUi, pickPaths, see, type UiSession } from './ui-harness.js';

const dir = scratch('ui-repair');
const card = join(dir, 'card.img');
const partway = join(dir, 'partway.img');
const IMAGE = 'AstLinux-2.0.0.img';
let keydisk: Uint8Array;
let ui: UiSession;

beforeAll(async () => {
  fakeImage(dir, '2.0.0', 300_000);
  keydisk = mke2fsKeydisk(join(dir, 'kd.img'), 'the keydisk');
  const bytes = await harnessCard(dir, [join(dir, IMAGE)], join(dir, 'kd.img'), 40 * 1024 * 1024);
  // The image's last cluster points into the keydisk's chain: the two files cross.
  const keydiskChain = await chainOf(bytes, 'kd.img');
  setFat(bytes, (await chainOf(bytes, IMAGE)).at(-1) as number, keydiskChain[2] as number);
  // A second card whose EFI folder loops back on itself: reading stops there, half the card unknown.
  const other = await harnessCard(dir, [join(dir, IMAGE)], join(dir, 'kd.img'), 40 * 1024 * 1024);
  const efi = await chainOf(other, 'EFI');
  setFat(other, efi.at(-1) as number, efi[0] as number);
  writeFileSync(partway, other);
  expect(fsckVolume(other, dir)).not.toEqual([]);
  writeFileSync(card, bytes);
  // The damage is real before the window sees it: fsck.fat complains.
  expect(fsckVolume(bytes, dir)).not.toEqual([]);
  ui = await openUi();
});

afterAll(async () => {
  await ui?.close();
  removeScratch();
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail')
    await ui.screenshot(`failed-${context.task.name.replace(/\W+/g, '-')}`);
});

describe('a card whose file system is damaged is repaired from its view', () => {
  test('the view shows the damage and Repair; Repair asks, repairs, says what it did and reads the card again', async () => {
    const { page } = ui;
    await page.getByRole('button', { name: 'Cards', exact: true }).click();
    await page.getByRole('button', { name: 'Open card image…' }).click();
    await pickPaths(page, [card]);
    await see.text(page.locator('#card-title'), 'card.img');

    const damage = page.getByTestId('damage-panel');
    await see.visible(damage);
    await see.text(damage, "The card's file system is damaged");
    // The check's own sentence, naming both files that cross.
    await see.text(damage, /kd\.img/);
    await see.text(damage, /AstLinux-2\.0\.0\.img/);
    await see.text(damage, 'Nothing can be changed on this card until it is repaired');
    const repair = damage.getByRole('button', { name: 'Repair…' });
    await see.visible(repair);
    // The volume-damaged problem is said once, in the damage panel, not again under "What needs attention".
    await see.count(page.getByText("The card's file system is damaged:", { exact: false }), 0);
    // Inspect read this card whole despite the damage, so it still says what boots (after the full check).
    await see.text(
      page.getByTestId('boot-banner'),
      /This card will boot AstLinux 2\.0\.0 — checksum/,
      30_000,
    );
    // Every change would be refused until the repair, so the buttons that change the card are off; the
    // keydisk can still be saved first.
    for (const name of ['Add image file…', 'New', 'Import…', 'Rewrite loader'])
      await see.disabled(page.getByRole('button', { name, exact: true }));
    await see.disabled(page.getByRole('button', { name: 'Export…' }), false);
    await ui.screenshot('card-repair-1-damaged');
    await expectNoAxeViolations(page, 'card view of a damaged card');

    await repair.click();
    const dialog = page.getByRole('dialog');
    await see.text(dialog, "Repair this card's file system?");
    // What will happen, before anything does: the crossed files split, lost space freed, nothing else.
    await see.text(dialog, 'its own copy of the shared part');
    await see.text(dialog, 'Space marked in use that no file uses is freed');
    await see.text(dialog, 'nothing else on the card is changed');
    await ui.screenshot('card-repair-2-asks');
    await expectNoAxeViolations(page, 'the repair question');
    // Asking changed nothing on the card.
    expect(fsckVolume(new Uint8Array(readFileSync(card)), dir)).not.toEqual([]);
    await dialog.getByRole('button', { name: 'Repair', exact: true }).click();

    const outcome = page.getByTestId('repair-outcome');
    await see.text(outcome, 'The file system is repaired.');
    await see.text(outcome, 'Found and put right:');
    await see.count(page.getByTestId('damage-panel'), 0);
    // Read again, every checksum computed: the card boots its image.
    await see.text(
      page.getByTestId('boot-banner'),
      /This card will boot AstLinux 2\.0\.0 — checksum/,
      30_000,
    );
    await see.disabled(page.getByRole('button', { name: 'Add image file…' }), false);
    await ui.screenshot('card-repair-3-repaired');
    await expectNoAxeViolations(page, 'card view after the repair');

    const bytes = new Uint8Array(readFileSync(card));
    expect(fsckVolume(bytes, dir)).toEqual([]);
    const disk = new MemoryBlockDevice(bytes);
    expect((await predictBoot(disk)).image).toBe(IMAGE);
    expect(Buffer.from((await readKeydiskFromCard(disk)) ?? []).equals(Buffer.from(keydisk))).toBe(true);

    // The Cards list no longer calls the card damaged.
    await page.getByRole('button', { name: 'Cards', exact: true }).click();
    await see.text(page.getByRole('main'), /AstLinux card — boots 2\.0\.0/);
  });

  test('a card read only partway: the view claims nothing it could not read, and Repair brings the rest back', async () => {
    const { page } = ui;
    await page.getByRole('button', { name: 'Cards', exact: true }).click();
    await page.getByRole('button', { name: 'Open card image…' }).click();
    await pickPaths(page, [partway]);
    await see.text(page.locator('#card-title'), 'partway.img');
    await see.text(page.getByTestId('boot-banner'), 'astcard cannot tell what this card boots');
    await see.text(page.getByTestId('damage-panel'), /EFI is damaged: the list of its parts loops back/);
    // Nothing read past the damage is shown: no images, no keydisk, no loader, only the way out.
    await see.count(page.getByRole('heading', { name: 'Images' }), 0);
    await see.count(page.getByRole('heading', { name: 'Keydisk' }), 0);
    await see.visible(page.getByRole('button', { name: 'Erase and prepare…' }));
    await ui.screenshot('card-repair-4-partway');
    await expectNoAxeViolations(page, 'card view of a card read partway');

    await page.getByTestId('damage-panel').getByRole('button', { name: 'Repair…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Repair', exact: true }).click();
    await see.text(page.getByTestId('repair-outcome'), 'The file system is repaired.');
    await see.visible(page.getByRole('heading', { name: 'Images' }));
    await see.text(
      page.getByTestId('boot-banner'),
      /This card will boot AstLinux 2\.0\.0 — checksum/,
      30_000,
    );
    await ui.screenshot('card-repair-5-partway-repaired');
    await expectNoAxeViolations(page, 'card view after repairing a card read partway');
    expect(fsckVolume(new Uint8Array(readFileSync(partway)), dir)).toEqual([]);
  });
});
