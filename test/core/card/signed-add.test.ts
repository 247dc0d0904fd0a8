/**
 * Signed images on the way onto a card: the signed list travels with its image (checked against the bytes
 * copied, written after the checksum file), and a card that trusts keys refuses, before writing anything,
 * an image whose signature fails — and, when it requires signatures, any image not signed by its keys.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../../../electron/core/card/assets.js';
import { changeCardKeys } from '../../../electron/core/card/card-keys.js';
import { openCardVolume } from '../../../electron/core/card/card-volume.js';
import { imageFromFile } from '../../../electron/core/card/image-source.js';
import { addImages } from '../../../electron/core/card/images.js';
import { prepareCard } from '../../../electron/core/card/prepare.js';
import { fakeImage, fsckCard, mtoolsNames, mtoolsRead, removeScratch, scratch } from './card-fixtures.js';

const dir = scratch('signed-add');
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A card with its loader and one image, trusting the publisher's key (made by Debian's signify). */
async function cardTrustingPublisher(name: string, required = false): Promise<string> {
  const card = join(dir, name);
  const disk = await FileBlockDevice.create(card, 48 * 1024 * 1024);
  try {
    const [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
    await prepareCard(disk, {
      images: [await imageFromFile(fakeImage(dir, '1.0.0', 50_000))],
      loader,
      syslinux,
      ...(required ? { loaderOptions: { signed: 'required' } } : {}),
    });
    await changeCardKeys(disk, {
      add: [{ name: 'publisher.pub', text: readFileSync(join(dir, 'publisher.pub'), 'utf8') }],
    });
  } finally {
    await disk.close();
  }
  return card;
}

async function add(card: string, image: string) {
  const disk = await FileBlockDevice.open(card);
  try {
    return await addImages(disk, [await imageFromFile(image)]);
  } finally {
    await disk.close();
  }
}

function signify(...args: string[]) {
  execFileSync('signify-openbsd', args, { cwd: dir, stdio: 'pipe' });
}

let signed: string;
let unsigned: string;
let tampered: string;
beforeAll(() => {
  signify('-G', '-n', '-c', 'ACME publisher', '-p', 'publisher.pub', '-s', 'publisher.sec');
  signed = fakeImage(dir, '2.0.0', 70_000);
  writeFileSync(join(dir, 'list'), execFileSync('sha256sum', ['--tag', 'AstLinux-2.0.0.img'], { cwd: dir }));
  signify('-S', '-e', '-s', 'publisher.sec', '-m', 'list', '-x', 'AstLinux-2.0.0.img.sha256.sig');
  unsigned = fakeImage(dir, '2.1.0', 60_000);
  tampered = fakeImage(dir, '2.2.0', 60_000);
  writeFileSync(
    join(dir, 'list22'),
    execFileSync('sha256sum', ['--tag', 'AstLinux-2.2.0.img'], { cwd: dir }),
  );
  signify('-S', '-e', '-s', 'publisher.sec', '-m', 'list22', '-x', 'AstLinux-2.2.0.img.sha256.sig');
  const sig = readFileSync(join(dir, 'AstLinux-2.2.0.img.sha256.sig'), 'utf8');
  writeFileSync(
    join(dir, 'AstLinux-2.2.0.img.sha256.sig'),
    sig.replace(/= ([0-9a-f])/, (_m, c) => `= ${c === '0' ? '1' : '0'}`),
  );
});
afterAll(removeScratch);

describe('adding signed images', () => {
  it('copies the signed list beside its image, after the checksum file, and says who signed it', async () => {
    const card = await cardTrustingPublisher('preferred.img');
    const result = await add(card, signed);
    expect(result.signatures).toEqual([
      {
        name: 'AstLinux-2.0.0.img',
        policy: 'preferred',
        status: 'signed',
        signer: 'ACME publisher public key',
        reason: null,
      },
    ]);
    expect(mtoolsNames(card, 'mbr')).toEqual(
      expect.arrayContaining(['AstLinux-2.0.0.img.sha256.sig', 'keys/']),
    );
    expect(mtoolsRead(card, 'mbr', 'AstLinux-2.0.0.img.sha256.sig').toString()).toBe(
      readFileSync(`${signed}.sha256.sig`, 'utf8'),
    );
    // Under `preferred` an unsigned image still goes on, said to be unsigned.
    expect((await add(card, unsigned)).signatures[0]?.status).toBe('unsigned');
    expect(fsckCard(card, 'mbr').status).toBe(0);
  });

  it('refuses an image whose signed list was altered, before writing anything', async () => {
    const card = await cardTrustingPublisher('tampered.img');
    const before = sha(card);
    await expect(add(card, tampered)).rejects.toMatchObject({
      code: 'untrusted-image',
      message: expect.stringMatching(
        /^AstLinux-2\.2\.0\.img comes with a signed list whose signature does not check out/,
      ),
    });
    expect(sha(card)).toBe(before);
  });

  it('on a card that requires signatures, refuses an unsigned image and takes a signed one', async () => {
    const card = await cardTrustingPublisher('required.img', true);
    const before = sha(card);
    await expect(add(card, unsigned)).rejects.toMatchObject({
      code: 'untrusted-image',
      message: expect.stringContaining('astlinux.signed=required'),
    });
    expect(sha(card)).toBe(before);
    expect((await add(card, signed)).signatures[0]).toMatchObject({ policy: 'required', status: 'signed' });
    const { volume } = await openCardVolume(await FileBlockDevice.open(card, { readOnly: true }), {
      readOnly: true,
    });
    expect(await volume.stat('/AstLinux-2.0.0.img.sha256.sig')).toBeTruthy();
  });
});
