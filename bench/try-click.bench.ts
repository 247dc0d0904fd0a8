// "Try this card" as a user meets it: the time from the click on Try this card in the card view to the
// result line ("Booted AstLinux 2.1.0, as predicted."), in Debian's Chromium against the real core, on a
// card prepared from two bootable test images. Where the time goes: the prediction (every image hashed),
// the test machine's start until the loader's first line, the loader until its decision, and the
// started kernel until the result. KVM when it works here, otherwise software emulation (say which).
// Needs `npm run build:loader` and `npm run build:syslinux` first, qemu-system-x86 and chromium.
//
//   npx tsx bench/try-click.bench.ts [tries]
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildAstlinuxImage, fixtureCache } from '../e2e/fixtures/astlinux-images.js';
import { openUi, pickPaths } from '../e2e/ui/ui-harness.js';
import { FileBlockDevice } from '../electron/core/block/file-block-device.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../electron/core/card/assets.js';
import { imageFromFile } from '../electron/core/card/image-source.js';
import { prepareCard } from '../electron/core/card/prepare.js';
import { chooseAcceleration } from '../electron/core/try/index.js';

const tries = Number(process.argv[2] ?? 3);
const dir = join(fixtureCache, 'bench-try');
mkdirSync(dir, { recursive: true });
const card = join(dir, 'card.img');
const images = ['2.0.0', '2.1.0'].map((version) => {
  const image = buildAstlinuxImage({ version, format: 'ext2' }, join(dir, `AstLinux-${version}.img`));
  writeFileSync(
    `${image}.sha1`,
    `${createHash('sha1').update(readFileSync(image)).digest('hex')}  ${basename(image)}\n`,
  );
  return image;
});
const disk = await FileBlockDevice.create(card, 96 * 1024 * 1024);
try {
  await prepareCard(disk, {
    layout: 'mbr',
    images: await Promise.all(images.map((file) => imageFromFile(file))),
    loader: await loadLoaderAssets(),
    syslinux: await loadSyslinuxAssets(),
    loaderOptions: { onfail: 'poweroff' },
  });
} finally {
  await disk.close();
}

const acceleration = await chooseAcceleration();
console.log(`Test machine: ${acceleration.kind.toUpperCase()} (${acceleration.reason})`);

interface Timing {
  prediction: number;
  toLoader: number;
  loader: number;
  toResult: number;
  whole: number;
}

const ui = await openUi();
const timings: Timing[] = [];
try {
  const { page } = ui;
  await page.getByRole('button', { name: 'Open card image…' }).click();
  await pickPaths(page, [card]);
  await page.getByText('checksum verified').first().waitFor({ timeout: 120_000 });
  const panel = page.getByTestId('try-panel');
  for (let i = 0; i < tries; i++) {
    const clicked = Date.now();
    const at = (stamp: number) => (stamp - clicked) / 1000;
    await panel.getByRole('button', { name: /^(Try this card|Try again)$/ }).click();
    // The console pane opens once the prediction is made and the test machine starts.
    await panel.getByRole('heading', { name: 'Serial console' }).waitFor({ timeout: 300_000 });
    const machine = Date.now();
    await panel.getByTestId('try-loader-lines').waitFor({ timeout: 300_000 });
    const loader = Date.now();
    await panel.getByTestId('try-loader-lines').getByText('kexec -e').waitFor({ timeout: 300_000 });
    const decided = Date.now();
    await panel.getByTestId('try-result').waitFor({ timeout: 400_000 });
    const done = Date.now();
    const line = (await panel.locator('.try-result-line').textContent()) ?? '';
    if (line !== 'Booted AstLinux 2.1.0, as predicted.') throw new Error(`unexpected result: ${line}`);
    const timing = {
      prediction: at(machine),
      toLoader: at(loader) - at(machine),
      loader: at(decided) - at(loader),
      toResult: at(done) - at(decided),
      whole: at(done),
    };
    timings.push(timing);
    console.log(
      `try ${i + 1}: ${timing.whole.toFixed(1)} s from click to result line (prediction ${timing.prediction.toFixed(1)} s, machine start to the loader's first line ${timing.toLoader.toFixed(1)} s, loader ${timing.loader.toFixed(1)} s, started kernel to result ${timing.toResult.toFixed(1)} s)`,
    );
  }
} finally {
  await ui.close();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
console.log(
  `median of ${timings.length}: ${median(timings.map((t) => t.whole)).toFixed(1)} s from click to result line (${acceleration.kind.toUpperCase()})`,
);
