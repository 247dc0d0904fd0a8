// Revert in the card view, on a RUNNIX card as AstLinux makes one (os/ver naming 1.5.10, os/Xver the 1.5.9
// it ran before its last upgrade, ASTURW and ASTKD partitions): the view says what the card ran before and
// offers the way back; going back asks first, runs as a writer job, and the card is read again and checked.
// The card is the proof: os/ver and os/Xver as mtools reads them, fsck.fat -n clean. The keydisk panel says
// the keydisk is the card's own ASTKD partition. axe-core checks each step; each step is photographed.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { removeScratch, scratch } from '../../test/core/card/card-fixtures.js';
import { buildStandInRelease } from '../fixtures/astlinux-real/release.js';
import { buildRunnixCard, type RunnixCard } from '../fixtures/astlinux-real/runnix-card.js';
import { expectNoAxeViolations } from './axe.js';
import { openUi, pickPaths, see, type UiSession } from './ui-harness.js';

const dir = scratch('ui-revert');
let card: RunnixCard;
let ui: UiSession;

function osText(name: string): string {
  return execFileSync('mtype', ['-i', `${card.file}@@${card.fatOffset}`, `::os/${name}`], {
    encoding: 'utf8',
    env: { ...process.env, MTOOLS_SKIP_CHECK: '1' },
  }).trim();
}

beforeAll(async () => {
  const releases = [
    await buildStandInRelease({ version: '1.5.9' }, dir),
    await buildStandInRelease({ version: '1.5.10' }, dir),
  ];
  card = await buildRunnixCard(join(dir, 'runnix.img'), {
    releases,
    ver: 'astlinux-1.5.10\n',
    xver: 'astlinux-1.5.9\n',
    asturwMiB: 8,
    astkdMiB: 4,
  });
  ui = await openUi();
}, 300_000);

afterAll(async () => {
  await ui?.close();
  removeScratch();
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail')
    await ui.screenshot(`failed-${context.task.name.replace(/\W+/g, '-')}`);
});

describe('going back to the previous release from the card view', () => {
  test('the view offers the release os/Xver names; going back asks, switches, and the card says so', async () => {
    const { page } = ui;
    await page.getByRole('button', { name: 'Cards', exact: true }).click();
    await page.getByRole('button', { name: 'Open card image…' }).click();
    await pickPaths(page, [card.file]);
    await see.text(page.locator('#card-title'), 'runnix.img');
    await see.text(page.getByTestId('boot-banner'), /1\.5\.10/, 30_000);
    const line = page.getByTestId('revert-line');
    await see.text(line, 'Before its last upgrade this card ran astlinux-1.5.9.');
    // RUNNIX decides, by its own rule, and the banner says so in its words.
    await see.text(
      page.getByTestId('boot-banner'),
      'RUNNIX boots astlinux-1.5.10.run: os/ver names astlinux-1.5.10.',
    );
    await see.text(page.getByRole('main'), "RUNNIX (runnix-0.6.26), AstLinux's own loader.");
    // AstLinux's layout: the keydisk is the card's own ASTKD partition, and its settings are edited there.
    await see.text(page.getByRole('main'), 'On the card, in its own partition (partition 3 (ASTKD), 4.2 MB)');
    await see.count(page.getByText('looks for the keydisk elsewhere', { exact: false }), 0);
    await see.text(page.getByRole('main'), 'PBX settings');
    await see.visible(page.getByRole('button', { name: 'Change…' }));
    await ui.screenshot('card-revert-1-offered');
    await expectNoAxeViolations(page, 'card view offering the previous release');

    await line.getByRole('button', { name: 'Go back to astlinux-1.5.9…' }).click();
    const dialog = page.getByRole('dialog');
    await see.text(dialog, 'Go back to astlinux-1.5.9?');
    await see.text(dialog, 'checked against its checksum before anything changes');
    await ui.screenshot('card-revert-2-asks');
    await expectNoAxeViolations(page, 'the revert question');
    // Asking changed nothing.
    expect(osText('ver')).toBe('astlinux-1.5.10');
    await dialog.getByRole('button', { name: 'Go back', exact: true }).click();

    await see.text(page.getByRole('main'), 'Switched the card back to astlinux-1.5.9', 60_000);
    await see.text(
      page.getByTestId('boot-banner'),
      'RUNNIX boots astlinux-1.5.9.run: os/ver names astlinux-1.5.9.',
      30_000,
    );
    // And the way forward again: 1.5.10 is now the previous release.
    await see.text(line, 'Before its last upgrade this card ran astlinux-1.5.10.');
    await see.text(page.getByTestId('boot-banner'), 'checksum verified', 60_000);
    await ui.screenshot('card-revert-3-done');
    await expectNoAxeViolations(page, 'card view after going back');

    expect(osText('ver')).toBe('astlinux-1.5.9');
    expect(osText('Xver')).toBe('astlinux-1.5.10');
    const volume = join(dir, 'volume.check');
    const fat = card.partitions.find((partition) => partition.number === 1);
    if (!fat) throw new Error('no FAT partition');
    execFileSync('dd', [
      `if=${card.file}`,
      `of=${volume}`,
      'bs=512',
      `skip=${fat.start}`,
      `count=${fat.sectors}`,
      'status=none',
    ]);
    const fsck = spawnSync('fsck.fat', ['-n', volume], { encoding: 'utf8' });
    expect(fsck.status, fsck.stdout).toBe(0);
  });
});
