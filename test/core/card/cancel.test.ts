/** Cancellation through the AbortSignal every long operation takes: the card is left consistent each time. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../../../electron/core/card/assets.js';
import { CardError } from '../../../electron/core/card/card-error.js';
import { imageFromFile } from '../../../electron/core/card/image-source.js';
import { addImages } from '../../../electron/core/card/images.js';
import { inspectCard } from '../../../electron/core/card/inspect.js';
import { updateLoader } from '../../../electron/core/card/loader-update.js';
import { prepareCard } from '../../../electron/core/card/prepare.js';
import type { Progress, ProgressPhase } from '../../../electron/core/card/progress.js';
import {
  fakeImage,
  fsckCard,
  inspectImageFile,
  mtoolsNames,
  preparedCard,
  removeScratch,
  scratch,
} from './card-fixtures.js';

const dir = scratch('cancel');
const sources = scratch('cancel-sources');
let base: string;

afterAll(removeScratch);

beforeAll(async () => {
  base = join(dir, 'base.img');
  await preparedCard(base, 64 * 1024 * 1024, [fakeImage(sources, '4.0.0', 600_000)]);
});

/** Aborts at the first progress event of `phase` whose `done` is past `fraction` of its total. */
function abortAt(phase: ProgressPhase, fraction: number) {
  const controller = new AbortController();
  const seen: Progress[] = [];
  const onProgress = (event: Progress) => {
    seen.push(event);
    if (event.phase === phase && event.done >= event.total * fraction) controller.abort();
  };
  return { signal: controller.signal, onProgress, seen, controller };
}

async function cancelled(promise: Promise<unknown>): Promise<CardError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CardError);
  expect((error as CardError).code).toBe('cancelled');
  return error as CardError;
}

function copyOfBase(name: string) {
  const card = join(dir, name);
  writeFileSync(card, readFileSync(base));
  return card;
}

async function expectAsBefore(card: string) {
  const report = await inspectImageFile(card);
  expect(report.boot).toMatchObject({ image: 'AstLinux-4.0.0.img', verified: true });
  expect(report.problems).toEqual([]);
  expect(mtoolsNames(card, 'mbr').filter((name) => /\.part$|4\.1\.0/.test(name))).toEqual([]);
  const fsck = fsckCard(card, 'mbr');
  expect(fsck.status, fsck.output).toBe(0);
}

describe('cancelling', () => {
  // 10 MB: several 4 MiB chunks, so the signal is seen in the middle of the step.
  const big = fakeImage(sources, '4.1.0', 10_000_000);

  it.each([
    ['while writing', 'write', 0.1],
    ['while reading back', 'verify', 0.1],
  ] as const)(
    'an add %s removes the partial copy and leaves the card as it was',
    async (_when, phase, fraction) => {
      const card = copyOfBase(`add-${phase}.img`);
      const { signal, onProgress } = abortAt(phase, fraction);
      const disk = await FileBlockDevice.open(card);
      try {
        const error = await cancelled(addImages(disk, [await imageFromFile(big)], { signal, onProgress }));
        expect(error.message).toMatch(/still boots as before/);
      } finally {
        await disk.close();
      }
      await expectAsBefore(card);
    },
  );

  it('a prepare between two images leaves a bootable card holding the first one', async () => {
    const card = join(dir, 'prepare.img');
    const first = fakeImage(sources, '4.0.1', 500_000);
    const controller = new AbortController();
    const disk = await FileBlockDevice.create(card, 64 * 1024 * 1024);
    try {
      await cancelled(
        prepareCard(disk, {
          images: [await imageFromFile(first), await imageFromFile(big)],
          loader: await loadLoaderAssets(),
          syslinux: await loadSyslinuxAssets(),
          signal: controller.signal,
          onProgress: (event) => {
            if (event.item === 'AstLinux-4.1.0.img' && event.phase === 'write') controller.abort();
          },
        }),
      );
    } finally {
      await disk.close();
    }
    const report = await inspectImageFile(card);
    expect(report.boot).toMatchObject({ image: 'AstLinux-4.0.1.img', verified: true });
    expect(report.images.map((image) => image.name)).toEqual(['AstLinux-4.0.1.img']);
    expect(fsckCard(card, 'mbr').status).toBe(0);
  });

  it('a loader update before the switch leaves the old loader booting', async () => {
    const card = copyOfBase('loader.img');
    const loader = await loadLoaderAssets();
    const newer = {
      ...loader,
      version: '9.9.9',
      initramfs: new Uint8Array([...loader.initramfs, 0, 0, 0, 0]),
    };
    const { signal, onProgress } = abortAt('verify', 0);
    const disk = await FileBlockDevice.open(card);
    try {
      await cancelled(
        updateLoader(disk, { loader: newer, syslinux: await loadSyslinuxAssets(), signal, onProgress }),
      );
    } finally {
      await disk.close();
    }
    const report = await inspectImageFile(card);
    expect(report.loader).toMatchObject({ present: true, version: loader.version });
    expect(fsckCard(card, 'mbr').status).toBe(0);
  });

  it('an inspect stops hashing', async () => {
    const card = copyOfBase('inspect.img');
    const controller = new AbortController();
    controller.abort();
    const disk = await FileBlockDevice.open(card, { readOnly: true });
    try {
      await cancelled(inspectCard(disk, { signal: controller.signal }));
    } finally {
      await disk.close();
    }
  });
});
