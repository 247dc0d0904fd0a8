// "Try this card" in the desktop window (issue 20), driven in Debian's Chromium against the real core: a
// card prepared from two bootable test images is booted in QEMU from the card view; the console pane
// shows the loader's lines and the raw serial while it runs, and the result line says it booted the
// predicted image (checked against the log file the app kept). Cancel stops the test machine: no QEMU
// process holding the card is left (pgrep). The card's bytes are the same before and after. axe-core runs
// on the live console and on the result. One whole boot only (CI time): the cancelled try is stopped as
// soon as its QEMU runs; a card with nothing bootable is `astcard try`'s test (e2e/try) and the words for
// it are test/renderer/try-words.test.ts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { FileBlockDevice } from '../../electron/core/block/file-block-device.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../../electron/core/card/assets.js';
import { imageFromFile } from '../../electron/core/card/image-source.js';
import { prepareCard } from '../../electron/core/card/prepare.js';
import { buildAstlinuxImage, fixtureCache } from '../fixtures/astlinux-images.js';
import { expectNoAxeViolations } from './axe.js';
import { CHROMIUM, eventually, openUi, pickPaths, see, type UiSession } from './ui-harness.js';

const dir = join(fixtureCache, 'ui-try');
const card = join(dir, 'try-card.img');
const noChromium = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;
const noQemu =
  spawnSync('qemu-system-x86_64', ['--version']).status === 0 ? null : 'qemu-system-x86_64 is missing';
const skip = noChromium ?? noQemu;
/** A boot under software emulation on a busy 2-core machine: a minute, often more. */
const BOOT_MS = 300_000;

let ui: UiSession;

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function prepared(path: string, images: string[]): Promise<void> {
  const disk = await FileBlockDevice.create(path, 96 * 1024 * 1024);
  try {
    await prepareCard(disk, {
      layout: 'mbr',
      images: await Promise.all(images.map((image) => imageFromFile(image))),
      loader: await loadLoaderAssets(),
      syslinux: await loadSyslinuxAssets(),
      loaderOptions: { onfail: 'poweroff' },
    });
  } finally {
    await disk.close();
  }
}

/** QEMU processes whose command line names this card: the test machine of a try of it. */
function qemuFor(path: string): string[] {
  const found = spawnSync('pgrep', ['-a', '-f', `qemu-system-x86_64.*${path}`], { encoding: 'utf8' });
  return found.stdout.split('\n').filter((line) => line.trim() !== '');
}

beforeAll(async () => {
  if (skip) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'images'), { recursive: true });
  const images = [
    buildAstlinuxImage({ version: '2.0.0', format: 'squashfs' }, join(dir, 'images', 'AstLinux-2.0.0.img')),
    buildAstlinuxImage({ version: '2.1.0', format: 'ext2' }, join(dir, 'images', 'AstLinux-2.1.0.img')),
  ];
  for (const image of images) {
    const digest = createHash('sha1').update(readFileSync(image)).digest('hex');
    writeFileSync(`${image}.sha1`, `${digest}  ${basename(image)}\n`);
  }
  await prepared(card, images);
  ui = await openUi();
}, 600_000);

afterAll(async () => {
  await ui?.close();
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail')
    await ui.screenshot(`failed-try-${context.task.name.replace(/\W+/g, '-')}`);
});

const panel = () => ui.page.getByTestId('try-panel');
const result = () => panel().getByTestId('try-result');

async function openCard(path: string) {
  await ui.page.getByRole('navigation').getByRole('button', { name: 'Cards', exact: true }).click();
  await ui.page.getByRole('button', { name: 'Open card image…' }).click();
  await pickPaths(ui.page, [path]);
  await see.text(ui.page.locator('#card-title'), basename(path));
  // The full check the card view makes on opening: the prediction the try is compared with.
  await see.text(ui.page.getByTestId('boot-banner'), /checksum verified|cannot boot/, 60_000);
}

describe.skipIf(skip !== null)(`Try this card${skip ? ` — skipped: ${skip}` : ''}`, () => {
  test('boots the card in a test machine: live console, then “Booted AstLinux 2.1.0, as predicted”', async () => {
    const { page } = ui;
    const before = sha(card);
    await openCard(card);
    await see.text(page.getByTestId('boot-banner'), 'This card will boot AstLinux 2.1.0');
    await panel().scrollIntoViewIfNeeded();
    await ui.screenshot('try-1-card-view');
    const clicked = Date.now();
    await panel().getByRole('button', { name: 'Try this card' }).click();
    // While it runs: the loader's lines apart, highlighted, and the raw serial below; Cancel.
    const loaderLines = panel().getByTestId('try-loader-lines');
    await see.text(loaderLines, 'AstLinux-2.1.0.img', BOOT_MS);
    await see.text(panel().getByTestId('try-raw'), 'astcard:');
    await see.visible(panel().getByRole('button', { name: 'Cancel' }));
    // The card is held: nothing may change it between the prediction and the boot.
    await see.disabled(page.getByRole('button', { name: 'Add image file…' }));
    await panel().scrollIntoViewIfNeeded();
    await ui.screenshot('try-2-live-console');
    await expectNoAxeViolations(page, 'Try this card, while it runs');

    await see.text(result(), 'Booted AstLinux 2.1.0, as predicted.', BOOT_MS);
    const seconds = (Date.now() - clicked) / 1000;
    console.log(`try: ${seconds.toFixed(1)} s from the click to the result line`);
    await see.attribute(result(), 'data-outcome', 'booted');
    await see.text(result(), 'Test machine: BIOS');
    const logPath = (await panel().getByTestId('try-log-path').textContent()) ?? '';
    expect(readFileSync(logPath, 'utf8')).toMatch(/astcard: kexec -e AstLinux-2\.1\.0\.img/);
    await see.disabled(page.getByRole('button', { name: 'Add image file…' }), false);
    await panel().scrollIntoViewIfNeeded();
    await ui.screenshot('try-3-result');
    await expectNoAxeViolations(page, 'Try this card, its result');
    expect(qemuFor(card)).toEqual([]);
    expect(sha(card)).toBe(before);
  }, 700_000);

  test('Cancel stops the test machine: no QEMU process is left', async () => {
    const { page } = ui;
    const before = sha(card);
    await openCard(card);
    await panel()
      .getByRole('button', { name: /^(Try this card|Try again)$/ })
      .click();
    await see.text(panel(), 'Starting the test machine', BOOT_MS);
    await eventually(async () => expect(qemuFor(card)).toHaveLength(1), 30_000);
    await panel().getByRole('button', { name: 'Cancel' }).click();
    await see.text(
      result(),
      'Stopped: the test machine was switched off before the loader had decided.',
      30_000,
    );
    await eventually(async () => expect(qemuFor(card)).toEqual([]), 10_000);
    await see.text(result(), 'Console log: ');
    await ui.screenshot('try-4-cancelled');
    expect(sha(card)).toBe(before);
    await see.disabled(page.getByRole('button', { name: 'Add image file…' }), false);
  }, 400_000);
});
