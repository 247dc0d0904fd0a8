// Issue 17's "QEMU agrees on a sample of the cut points": the two cuts the issue found losing a keydisk or a
// bootable card — `keydisk import --force` cut before its 6th write, `loader update --force` before its
// 21st — each followed by the obvious retry and one more add (the cut-retry harness, with real images and
// a keydisk the guest reports). The card is then booted: QEMU must boot what inspect's oracles predicted,
// through the loader the card now has, with the keydisk the commands put there mounted — for the import,
// a keydisk astcard's own ext2 formatter made.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { createKeydiskImage } from '../../electron/core/card/keydisk.js';
import type { SingleJob } from '../../electron/core/writer/prepare-job.js';
import {
  countWrites,
  cutRetryAdd,
  harnessCard,
  type MutatingCommand,
} from '../../test/core/card/cut-retry-harness.js';
import { buildAstlinuxImage, buildKeydisk, fixtureCache } from '../fixtures/astlinux-images.js';
import { loaderAssets } from '../fixtures/make-card.js';
import { boot } from '../loader/qemu.js';
import { handoffOf, loaderLines, markerOf } from '../loader/serial-log.js';

const dir = join(fixtureCache, 'cut-retry-boot');
const image = (version: string) => join(dir, `AstLinux-${version}.img`);
const finalAdd = (): SingleJob => ({ kind: 'add', images: [image('0.10.0')] });
let base: Uint8Array;

beforeAll(async () => {
  loaderAssets();
  mkdirSync(dir, { recursive: true });
  buildAstlinuxImage({ version: '0.4.0', format: 'ext2' }, image('0.4.0'));
  buildAstlinuxImage({ version: '0.4.1', format: 'squashfs' }, image('0.4.1'));
  buildAstlinuxImage({ version: '0.10.0', format: 'squashfs' }, image('0.10.0'));
  buildKeydisk(join(dir, 'kd-before.img'), 'KD-before-the-cut');
  // The imported keydisk is made by astcard's own ext2 formatter, with an id file the guest reports.
  const imported = join(dir, 'kd-imported.img');
  writeFileSync(imported, createKeydiskImage(1024 * 1024));
  writeFileSync(join(dir, 'keydisk-id'), 'KD-imported-across-the-cut\n');
  execFileSync('debugfs', ['-w', '-R', `write ${join(dir, 'keydisk-id')} keydisk-id`, imported], {
    stdio: 'ignore',
  });
  base = await harnessCard(
    dir,
    [image('0.4.0'), image('0.4.1')],
    join(dir, 'kd-before.img'),
    96 * 1024 * 1024,
    { console: ['ttyS0,115200'], loaderOptions: { onfail: 'poweroff' } },
  );
}, 300_000);

const samples: Array<{ command: MutatingCommand; cutBefore: number; keydiskId: string; loader: RegExp }> = [
  {
    command: {
      name: 'keydisk import --force',
      job: { kind: 'keydisk-place', keydisk: join(dir, 'kd-imported.img'), replace: true },
    },
    cutBefore: 6,
    keydiskId: 'KD-imported-across-the-cut',
    loader: /Loading bzImage\.\.\. ?ok/,
  },
  {
    command: { name: 'loader update --force', job: { kind: 'loader-update', force: true } },
    cutBefore: 21,
    keydiskId: 'KD-before-the-cut',
    loader: /Loading bzImage-b\.\.\. ?ok/,
  },
];

// Two boots at once (qemu.ts); a test's time includes its wait for a slot.
describe.concurrent('a cut, the retry, one more add: QEMU boots what was predicted', {
  timeout: 400_000,
}, () => {
  for (const { command, cutBefore, keydiskId, loader } of samples) {
    test(`${command.name}, cut before write ${cutBefore}`, async () => {
      const writes = await countWrites(base, command.job);
      expect(writes).toBeGreaterThanOrEqual(cutBefore);
      const outcome = await cutRetryAdd(base, command, cutBefore - 1, finalAdd(), dir);
      expect(outcome.failure).toBeNull();
      expect(outcome.fsck).toEqual([]);
      expect(outcome.boot?.image).toBe('AstLinux-0.10.0.img');

      const file = join(dir, `${command.name.replace(/\W+/g, '-')}.img`);
      writeFileSync(file, outcome.bytes);
      const result = await boot([{ file, interface: 'ide' }]);
      writeFileSync(`${file}.log`, result.log);
      expect(result.timedOut, `log in ${file}.log`).toBe(false);
      expect(result.log).toMatch(loader);
      const marker = markerOf(result.log);
      expect(marker?.version).toBe('0.10.0');
      expect(handoffOf(marker?.cmdline ?? '').image).toBe(outcome.boot?.image);
      expect(marker?.keydiskId).toBe(keydiskId);
      expect(loaderLines(result.log).some((line) => /AstLinux-0\.10\.0\.img.*ok/.test(line.text))).toBe(true);
    });
  }
});
