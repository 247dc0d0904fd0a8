// The API implementation over the real core: the card list follows drives coming and going within a
// second (a scripted drive list stands in for hardware this machine does not have), and opened image
// files get their state from the card doctor.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { DriveInfo } from '../../../electron/service/drive-source.js';
import { driveName } from '../../../electron/service/drive-source.js';
import { type AstcardService, createAstcardService } from '../../../electron/service/service.js';
import type { CardSummary } from '../../../shared/api.js';

const stick: DriveInfo = {
  device: '/dev/astcard-test-stick',
  description: 'Generic Flash Disk',
  size: 4e9,
  removable: true,
  system: false,
  virtual: false,
  mountpoints: [],
  readOnly: false,
};
const systemDisk: DriveInfo = {
  ...stick,
  device: '/dev/astcard-test-system',
  description: '0x1af4',
  system: true,
  removable: false,
  size: 256e9,
};

let service: AstcardService | undefined;
afterEach(() => service?.close());

describe('the API implementation', () => {
  test('a drive plugged in shows in the list within a second, and goes when unplugged', async () => {
    let plugged: DriveInfo[] = [systemDisk];
    service = createAstcardService({ appVersion: 't', drives: { list: async () => plugged }, pollMs: 200 });
    const updates: CardSummary[][] = [];
    service.api.onCardsChanged((cards) => updates.push(cards));
    const first = await service.api.listCards();
    expect(first.map((card) => [card.id, card.hidden, card.state])).toEqual([
      ['/dev/astcard-test-system', true, { kind: 'hidden', why: 'system' }],
    ]);
    expect(first[0]?.title).toBe('Disk astcard-test-system');
    // The core's drive rules and words, as `astcard drives` shows them: a typed name, and why.
    expect(first[0]).toMatchObject({ system: true, access: 'type-name', confirmName: 'astcard-test-system' });
    expect(first[0]?.warnings.join(' ')).toMatch(
      /system \(internal\) drive.*type astcard-test-system exactly.*256 GB, larger than any usual AstLinux card/,
    );

    const pluggedAt = Date.now();
    plugged = [systemDisk, stick];
    await expect
      .poll(() => updates.at(-1)?.some((card) => card.id === stick.device), { timeout: 1000 })
      .toBe(true);
    expect(Date.now() - pluggedAt).toBeLessThan(1000);
    // Not a real device here: its state says it cannot be read, rather than guessing.
    expect(updates.at(-1)?.find((card) => card.id === stick.device)).toMatchObject({
      hidden: false,
      state: { kind: 'unreadable' },
      title: 'Generic Flash Disk',
      access: 'ok',
      warnings: [],
    });

    plugged = [systemDisk];
    await expect.poll(() => updates.at(-1)?.length, { timeout: 1000 }).toBe(1);
  });

  test('an opened image file gets its state from the card doctor', async () => {
    service = createAstcardService({ appVersion: 't', drives: { list: async () => [] } });
    const image = join(mkdtempSync(join(tmpdir(), 'astcard-api-')), 'blank.img');
    execFileSync('truncate', ['-s', '8M', image]);
    expect(await service.api.openCardImage(image)).toMatchObject({
      kind: 'image-file',
      state: { kind: 'empty' },
      size: 8 * 1024 * 1024,
    });
    execFileSync('mkfs.fat', ['-n', 'OTHER', image], { stdio: 'ignore' });
    await service.api.closeCardImage(image);
    expect(await service.api.openCardImage(image)).toMatchObject({
      state: { kind: 'foreign', filesystem: 'FAT12' },
    });
    const view = await service.api.inspectCard(image);
    expect(view.astlinux).toBe(false);
    expect(view.label).toBe('OTHER');
    expect(view.filesystem).toBe('FAT12');
  });

  test('makes a new blank card image, and will not overwrite a file', async () => {
    service = createAstcardService({ appVersion: 't', drives: { list: async () => [] } });
    const path = join(mkdtempSync(join(tmpdir(), 'astcard-api-')), 'new-card.img');
    const made = await service.api.createCardImage(path, 64 * 1024 * 1024 + 100);
    expect(made).toMatchObject({ id: path, size: 64 * 1024 * 1024, state: { kind: 'empty' } });
    await expect(service.api.createCardImage(path, 64 * 1024 * 1024)).rejects.toMatchObject({
      code: 'create-failed',
      message: expect.stringContaining('already exists'),
    });
    await expect(service.api.createCardImage(`${path}.tiny`, 1024)).rejects.toMatchObject({
      code: 'create-failed',
    });
  });

  test('the chosen images flag a card too small for them while cards are chosen, and prepare refuses it', async () => {
    const tiny: DriveInfo = { ...stick, device: '/dev/astcard-test-tiny', size: 4 * 1024 * 1024 };
    service = createAstcardService({ appVersion: 't', drives: { list: async () => [stick, tiny] } });
    const images = mkdtempSync(join(tmpdir(), 'astcard-api-images-'));
    const image = join(images, 'AstLinux-1.0.0.img');
    execFileSync('truncate', ['-s', '6M', image]);
    await service.api.listCards();
    const planned = await service.api.planPrepare([image], { mode: 'none' });
    const byId = (cards: CardSummary[], id: string) => cards.find((card) => card.id === id);
    expect(byId(planned, tiny.device)).toMatchObject({ access: 'blocked', hidden: false });
    expect(byId(planned, tiny.device)?.warnings.join(' ')).toMatch(
      /too small: it holds 5 MB, the card needs \d+ MB/,
    );
    expect(byId(planned, stick.device)).toMatchObject({ access: 'ok', warnings: [] });
    await expect(
      service.api.prepareCards({
        jobId: 'tiny',
        cards: [tiny.device],
        images: [image],
        keydisk: { mode: 'none' },
        layout: 'mbr',
      }),
    ).rejects.toMatchObject({ code: 'drive-refused', message: expect.stringMatching(/too small/) });
    const plain = await service.api.planPrepare([], { mode: 'none' });
    expect(byId(plain, tiny.device)).toMatchObject({ access: 'ok', warnings: [] });
  });

  test('names drives people can recognise', () => {
    expect(driveName('SanDisk Cruzer Blade', '/dev/sdb')).toBe('SanDisk Cruzer Blade');
    expect(driveName('0x1af4', '/dev/vda')).toBe('Disk vda');
    expect(driveName('', '\\\\.\\PHYSICALDRIVE2')).toBe('Disk PHYSICALDRIVE2');
  });
});
