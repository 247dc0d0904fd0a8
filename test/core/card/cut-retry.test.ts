/**
 * Issue 17's proof: every mutating command cut off before each of its writes, then retried, then one more
 * `add`. After each, the card must check out with every oracle: the retry and the add succeed, fsck.fat -n
 * finds nothing at all (recovery on open has put right what the cut left), the keydisk exports byte for
 * byte what the commands put there (e2fsck -n clean where a command made a new one), SYSLINUX starts the
 * loader from syslinux.cfg with every file it needs on the card, and the boot plan boots the added image.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { openCardVolume } from '../../../electron/core/card/card-volume.js';
import { readExt2Summary } from '../../../electron/core/card/ext2-format.js';
import { readCardSettings } from '../../../electron/core/settings/card-settings.js';
import type { SingleJob } from '../../../electron/core/writer/prepare-job.js';
import { fakeImage, removeScratch, scratch } from './card-fixtures.js';
import {
  countWrites,
  cutRetryAdd,
  e2fsckKeydisk,
  harnessCard,
  type MutatingCommand,
  mke2fsKeydisk,
  runJobOn,
} from './cut-retry-harness.js';

const CARD_SIZE = 48 * 1024 * 1024;
const IMAGE_SIZE = 600_000;
const SOURCE = 'http://192.168.1.2/astlinux/';

const dir = scratch('cut-retry');
const images = scratch('cut-retry-images');
afterAll(removeScratch);

let base: Uint8Array;
let keydiskBefore: Uint8Array;
let keydiskImported: Uint8Array;
let importPath: string;
const newer = () => join(images, 'AstLinux-2.0.2.img');
const finalAdd = (): SingleJob => ({ kind: 'add', images: [join(images, 'AstLinux-2.1.0.img')] });

beforeAll(async () => {
  for (const version of ['2.0.0', '2.0.1', '2.0.2', '2.1.0']) fakeImage(images, version, IMAGE_SIZE);
  const before = join(dir, 'kd-before.img');
  keydiskBefore = mke2fsKeydisk(before, 'the keydisk the card had');
  importPath = join(dir, 'kd-imported.img');
  keydiskImported = mke2fsKeydisk(importPath, 'the keydisk imported');
  base = await harnessCard(
    dir,
    [join(images, 'AstLinux-2.0.0.img'), join(images, 'AstLinux-2.0.1.img')],
    before,
    CARD_SIZE,
  );
  expect(Buffer.from(readFileSync(before)).equals(Buffer.from(keydiskBefore))).toBe(true);
});

async function listRoot(bytes: Uint8Array): Promise<string[]> {
  const { volume } = await openCardVolume(new MemoryBlockDevice(bytes), { readOnly: true });
  return (await volume.readdir('/')).map((entry) => entry.name);
}

const commands = (): MutatingCommand[] => [
  { name: 'add', job: { kind: 'add', images: [newer()] } },
  { name: 'add --keep 1', job: { kind: 'add', images: [newer()], keep: 1 } },
  {
    name: 'remove',
    job: { kind: 'remove', images: ['2.0.0'] },
    alreadyDone: /There is no image 2\.0\.0 on this card/,
  },
  { name: 'loader update --force', job: { kind: 'loader-update', force: true } },
  {
    name: 'keydisk import --force',
    job: { kind: 'keydisk-place', keydisk: importPath, replace: true },
    keydisk: keydiskImported,
  },
  {
    name: 'keydisk create --force',
    job: { kind: 'keydisk-place', keydisk: null, replace: true },
    keydisk: 'checked',
  },
  { name: 'source set', job: { kind: 'sources', urls: [SOURCE] } },
  {
    name: 'source clear',
    setup: { kind: 'sources', urls: [SOURCE] },
    job: { kind: 'sources', urls: [] },
  },
  { name: 'settings set', job: { kind: 'settings', set: { HOSTNAME: 'pbx-after-cut' } }, keydisk: 'checked' },
];

const NAMES = [
  'add',
  'add --keep 1',
  'remove',
  'loader update --force',
  'keydisk import --force',
  'keydisk create --force',
  'source set',
  'source clear',
  'settings set',
];

describe('a cut before any write, the obvious retry, one more add', () => {
  it.each(NAMES)('%s', async (name) => {
    const command = commands().find((entry) => entry.name === name) as MutatingCommand;
    let card = base;
    if (command.setup) {
      card = base.slice();
      await runJobOn(card, command.setup);
    }
    const writes = await countWrites(card, command.job);
    expect(writes, `${name} writes nothing`).toBeGreaterThan(0);
    for (let cut = 0; cut < writes; cut++) {
      const outcome = await cutRetryAdd(card, command, cut, finalAdd(), dir);
      const at = `${name}, cut before write ${cut + 1} of ${writes}`;
      expect(outcome.failure, at).toBeNull();
      if (outcome.retryRefused) {
        const names = (await listRoot(outcome.bytes)).map((name) => name.toLowerCase());
        expect(names, `${at}: the retry found nothing to do, yet`).not.toContain('astlinux-2.0.0.img');
      }
      expect(outcome.fsck, `${at}: fsck.fat -n`).toEqual([]);
      expect(outcome.boot?.image, `${at}: what boots`).toBe('AstLinux-2.1.0.img');
      expect(outcome.boot?.config?.problems, `${at}: syslinux.cfg`).toEqual([]);
      expect(outcome.boot?.config?.boots, `${at}: SYSLINUX starts the loader`).toBe(true);
      expect(outcome.boot?.missing, `${at}: files SYSLINUX needs`).toEqual([]);
      const keydisk = outcome.keydisk;
      expect(keydisk, `${at}: keydisk export`).not.toBeNull();
      if (!keydisk) continue;
      if (command.keydisk === 'checked') {
        expect(e2fsckKeydisk(keydisk, dir), `${at}: e2fsck -n`).toEqual([]);
        expect(readExt2Summary(keydisk)?.label, `${at}: keydisk label`).toBe('ASTKD');
        if (command.job.kind === 'settings')
          expect((await readCardSettings(keydisk)).values.HOSTNAME, at).toBe('pbx-after-cut');
      } else {
        const wanted = command.keydisk instanceof Uint8Array ? command.keydisk : keydiskBefore;
        expect(Buffer.from(keydisk).equals(Buffer.from(wanted)), `${at}: keydisk bytes`).toBe(true);
      }
    }
  });
});
