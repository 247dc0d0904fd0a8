// The card view's signed images and firmware over the real core, on card image files. Keys and signed
// lists are made by Debian's signify-openbsd (an oracle independent of astcard's own signing); key files
// on the card are read back with mtools. The firmware line's data: a prepared card starts on BIOS and UEFI,
// and one whose EFI boot program was deleted (mtools) does not start on UEFI, with the reason.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type AstcardService, createAstcardService } from '../../../electron/service/service.js';
import {
  fakeImage,
  mtoolsImage,
  preparedCard,
  removeScratch,
  scratch,
} from '../../core/card/card-fixtures.js';

const MIB = 1024 * 1024;
const SIGNIFY = '/usr/bin/signify-openbsd';
const hasSignify = spawnSync(SIGNIFY, ['-h']).error === undefined;
let service: AstcardService | undefined;
afterEach(() => service?.close());
afterAll(removeScratch);

function newService(): AstcardService {
  service = createAstcardService({ appVersion: 't', drives: { list: async () => [] } });
  return service;
}

/** A signify key pair, and a signed SHA-256 list for one image (`signify -S -e`), as publishers make them. */
function signifyKey(dir: string, name: string, comment: string): { pub: string; sec: string } {
  const pub = join(dir, `${name}.pub`);
  const sec = join(dir, `${name}.sec`);
  execFileSync(SIGNIFY, ['-G', '-n', '-c', comment, '-p', pub, '-s', sec]);
  return { pub, sec };
}

function signifyList(image: string, sec: string): string {
  const digest = createHash('sha256').update(readFileSync(image)).digest('hex');
  const list = `${image}.sha256`;
  writeFileSync(list, `SHA256 (${image.split('/').pop()}) = ${digest}\n`);
  execFileSync(SIGNIFY, ['-S', '-e', '-s', sec, '-m', list, '-x', `${list}.sig`]);
  return `${list}.sig`;
}

describe.skipIf(!hasSignify)('signed images in the card view (skipped without signify-openbsd)', () => {
  test('keys are added and removed through the writer; who signed each image is what signify made', async () => {
    const dir = scratch('trust-api');
    const card = join(dir, 'card.img');
    const signed = fakeImage(dir, '1.5.10', MIB);
    const unsigned = fakeImage(dir, '1.5.11', MIB);
    const stranger = fakeImage(dir, '1.5.9', MIB);
    await preparedCard(card, 48 * MIB, [signed, unsigned, stranger]);
    const publisher = signifyKey(dir, 'publisher', 'Example Telecom release key');
    const other = signifyKey(dir, 'other', 'someone else');
    // The signed lists go beside the images on the card, as `astcard add` of a signed image puts them.
    for (const [image, key] of [
      [signed, publisher.sec],
      [stranger, other.sec],
    ] as const) {
      execFileSync('mcopy', ['-i', mtoolsImage(card, 'mbr'), signifyList(image, key), '::/']);
    }

    const { api } = newService();
    await api.openCardImage(card);
    // Trusting no key, the card ignores signatures: the window claims nothing about them.
    expect(await api.readTrust(card)).toEqual({ keys: [], policy: 'off', images: {}, notes: [] });

    const trusted = await api.changeKeys(card, { add: [publisher.pub] });
    expect(
      execFileSync('mtype', ['-i', mtoolsImage(card, 'mbr'), '::/keys/publisher.pub'], { encoding: 'utf8' }),
    ).toBe(readFileSync(publisher.pub, 'utf8'));
    expect(trusted.policy).toBe('preferred');
    expect(trusted.keys).toEqual([
      {
        file: 'keys/publisher.pub',
        ok: true,
        keyNumber: expect.stringMatching(/^[0-9a-f]{16}$/),
        comment: 'Example Telecom release key public key',
      },
    ]);
    expect(trusted.images['AstLinux-1.5.10.img']).toMatchObject({
      status: 'signed',
      signer: 'Example Telecom release key public key',
      list: 'AstLinux-1.5.10.img.sha256.sig',
    });
    expect(trusted.images['AstLinux-1.5.11.img']).toEqual({ status: 'unsigned' });
    expect(trusted.images['AstLinux-1.5.9.img']).toMatchObject({ status: 'unknown-key' });

    // A key file that is not one is refused with the reason, and the card keeps what it trusted.
    const bogus = join(dir, 'bogus.pub');
    writeFileSync(bogus, 'not a key\n');
    await expect(api.changeKeys(card, { add: [bogus] })).rejects.toMatchObject({
      message: expect.stringMatching(/^bogus\.pub is not a signify public key/),
    });
    await expect(api.changeKeys(card, { add: [join(dir, 'missing.pub')] })).rejects.toMatchObject({
      code: 'file-missing',
    });

    const removed = await api.changeKeys(card, { remove: ['publisher.pub'] });
    expect(removed).toMatchObject({ keys: [], policy: 'off', images: {} });
    expect(
      execFileSync('mdir', ['-b', '-i', mtoolsImage(card, 'mbr'), '::/keys/'], { encoding: 'utf8' }).trim(),
    ).toBe('');
  });
});

describe('which computers start a card', () => {
  test('a prepared card starts on BIOS and UEFI; without its EFI boot program, on BIOS only, and the view says why', async () => {
    const dir = scratch('firmware-view');
    const card = join(dir, 'card.img');
    await preparedCard(card, 40 * MIB, [fakeImage(dir, '1.5.10', MIB)]);
    const { api } = newService();
    await api.openCardImage(card);
    const view = await api.inspectCard(card);
    expect(view.firmware).toEqual({ bios: true, uefi: true });
    expect(view.efi).toMatchObject({ program: expect.stringMatching(/BOOTX64\.EFI$/i), config: 'same' });

    execFileSync('mdel', ['-i', mtoolsImage(card, 'mbr'), '::/EFI/BOOT/BOOTX64.EFI']);
    const broken = await api.inspectCard(card);
    expect(broken.firmware).toEqual({ bios: true, uefi: false });
    expect(broken.efi?.program).toBeNull();
    expect(broken.problems.find((problem) => problem.code === 'uefi-no-boot-program')?.message).toMatch(
      /does not start on UEFI computers.*Update the loader/,
    );
  });
});
