// The app writes real drives only through the privileged writer. The drive list hides loop devices, so a
// loop device is injected as a "drive" through the bridge's drive source (as the helper tests inject a
// target); everything past the list — rules, identity, helper process, writing — is the real thing.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { readLinuxDrive } from '../../../electron/core/drives/linux-lsblk.js';
import type { DriveInfo } from '../../../electron/service/drive-source.js';
import { type AstcardService, createAstcardService } from '../../../electron/service/service.js';
import type { JobProgress } from '../../../shared/api.js';
import {
  fakeImage,
  fsckCard,
  mtoolsNames,
  mtoolsRead,
  removeScratch,
  scratch,
} from '../../core/card/card-fixtures.js';

const MIB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;
const hasLosetup = spawnSync('losetup', ['--version']).status === 0;

const loops: string[] = [];
const mounts: string[] = [];
let service: AstcardService | undefined;

function loopDevice(file: string, bytes: number): string {
  writeFileSync(file, '');
  truncateSync(file, bytes);
  const device = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
  loops.push(device);
  return device;
}

/** The loop device as the drive list would describe it: the core's own record of it. */
async function asDrive(device: string): Promise<DriveInfo> {
  const { record } = await readLinuxDrive(device);
  return {
    device,
    description: 'Loop card',
    size: record.size ?? 0,
    removable: record.isRemovable,
    system: record.isSystem,
    virtual: false,
    mountpoints: record.mountpoints.map((mount) => mount.path),
    readOnly: record.isReadOnly,
    // Loop devices are "virtual" (hidden) in the rules; a card reader's card is not.
    record: { ...record, isVirtual: false, description: 'Loop card' },
  };
}

async function serviceWith(drives: DriveInfo[]): Promise<AstcardService> {
  service = createAstcardService({ appVersion: 't', drives: { list: async () => drives } });
  await service.api.listCards();
  return service;
}

afterEach(() => service?.close());
afterAll(() => {
  for (const mount of mounts) spawnSync('umount', [mount]);
  for (const loop of loops.splice(0)) spawnSync('losetup', ['-d', loop]);
  for (const mount of mounts.splice(0)) spawnSync('umount', [mount]);
  removeScratch();
});

describe.skipIf(!isRoot || !hasLosetup)(
  'the app writes drives through the writer (skipped unless root with losetup)',
  () => {
    const dir = scratch('bridge-writer');

    test('prepares two cards at once, one bar per card, each with its own result', async () => {
      const first = join(dir, 'first.img');
      const second = join(dir, 'second.img');
      const drives = [
        await asDrive(loopDevice(first, 48 * MIB)),
        await asDrive(loopDevice(second, 48 * MIB)),
      ];
      const api = (await serviceWith(drives)).api;
      const cards = await api.listCards();
      expect(cards.map((card) => [card.hidden, card.access])).toEqual([
        [false, 'ok'],
        [false, 'ok'],
      ]);
      const images = [fakeImage(dir, '1.2.0', 2 * MIB + 1), fakeImage(dir, '1.3.0', 2 * MIB + 3)];
      const progress: JobProgress[] = [];
      api.onProgress((event) => progress.push(event));
      const results = await api.prepareCards({
        jobId: 'two',
        cards: drives.map((drive) => drive.device),
        images,
        keydisk: { mode: 'new' },
        layout: 'mbr',
      });
      expect(results.map((result) => [result.cardId, result.ok, result.keydisk])).toEqual(
        drives.map((drive) => [drive.device, true, true]),
      );
      for (const backing of [first, second]) {
        expect(fsckCard(backing, 'mbr').status).toBe(0);
        expect(mtoolsNames(backing, 'mbr')).toEqual(
          expect.arrayContaining(['AstLinux-1.2.0.img', 'AstLinux-1.3.0.img', 'kd.img']),
        );
        expect(
          mtoolsRead(backing, 'mbr', 'AstLinux-1.3.0.img').equals(readFileSync(images[1] as string)),
        ).toBe(true);
      }
      // The writer's progress arrives per card, so the window can draw one bar for each.
      for (const drive of drives) {
        expect(
          progress.some(
            (event) => event.cardId === drive.device && event.phase === 'write' && event.done === event.total,
          ),
        ).toBe(true);
      }
    });

    test('the Card view changes a drive through the writer: add, remove, keydisk, loader', async () => {
      const backing = join(dir, 'view.img');
      const drive = await asDrive(loopDevice(backing, 48 * MIB));
      const api = (await serviceWith([drive])).api;
      const [prepared] = await api.prepareCards({
        jobId: 'view-prepare',
        cards: [drive.device],
        images: [fakeImage(dir, '5.1.0', MIB)],
        keydisk: { mode: 'none' },
        layout: 'superfloppy',
      });
      expect(prepared?.ok).toBe(true);
      const added = await api.addImages({
        jobId: 'view-add',
        cardId: drive.device,
        sources: [fakeImage(dir, '5.2.0', MIB + 7)],
      });
      expect(added.boot?.image).toBe('AstLinux-5.2.0.img');
      const removed = await api.removeImage(drive.device, 'AstLinux-5.1.0.img');
      expect(removed.images.map((image) => image.name)).toEqual(['AstLinux-5.2.0.img']);
      const withKeydisk = await api.createKeydisk(drive.device, false);
      expect(withKeydisk.keydisk.present).toBe(true);
      await expect(api.createKeydisk(drive.device, false)).rejects.toHaveProperty(
        'message',
        expect.stringMatching(/keydisk/i),
      );
      const updated = await api.updateLoader(drive.device, 'view-loader');
      expect(updated.loader.present).toBe(true);
      expect(fsckCard(backing, 'superfloppy').status).toBe(0);
      expect(mtoolsNames(backing, 'superfloppy')).toEqual(
        expect.arrayContaining(['AstLinux-5.2.0.img', 'AstLinux-5.2.0.img.sha1', 'kd.img']),
      );
    });

    test('flags and refuses a drive too small for the images, before anything is written', async () => {
      const backing = join(dir, 'small.img');
      const drive = await asDrive(loopDevice(backing, 4 * MIB));
      const api = (await serviceWith([drive])).api;
      const big = fakeImage(scratch('bridge-writer-big'), '2.0.0', 6 * MIB);
      const refused = api.prepareCards({
        jobId: 'small',
        cards: [drive.device],
        images: [big],
        keydisk: { mode: 'none' },
        layout: 'mbr',
      });
      await expect(refused).rejects.toMatchObject({
        code: 'drive-refused',
        message: expect.stringMatching(/too small/),
      });
      expect(statSync(backing).blocks).toBe(0);
    });

    test('a card that stops taking writes shows the writer\'s "removed or failed" message in its result', async () => {
      const small = scratch('bridge-writer-failing');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small]);
      mounts.push(small);
      const drive = await asDrive(loopDevice(join(small, 'card.img'), 48 * MIB));
      const api = (await serviceWith([drive])).api;
      const [result] = await api.prepareCards({
        jobId: 'pulled',
        cards: [drive.device],
        images: [fakeImage(dir, '3.0.0', 3 * MIB)],
        keydisk: { mode: 'none' },
        layout: 'mbr',
      });
      expect(result?.ok).toBe(false);
      expect(result?.error?.message).toMatch(/^The card was removed or failed while astcard was using it/);
    });

    test('refuses to write a drive swapped for another since it was listed', async () => {
      const backing = join(dir, 'swapped.img');
      const device = loopDevice(backing, 32 * MIB);
      const drive = await asDrive(device);
      const api = (await serviceWith([drive])).api;
      // Another "card" now answers to the same name: same device path, different size.
      truncateSync(backing, 40 * MIB);
      execFileSync('losetup', ['-c', device]);
      const [result] = await api.prepareCards({
        jobId: 'swap',
        cards: [device],
        images: [fakeImage(dir, '4.0.0', MIB)],
        keydisk: { mode: 'none' },
        layout: 'mbr',
      });
      expect(result).toMatchObject({ ok: false, error: { code: 'identity-changed' } });
      expect(statSync(backing).blocks).toBe(0);
    });
  },
);
