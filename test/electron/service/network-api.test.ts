// The window's network-boot calls over the real core: a drive's sources and static address written through
// the privileged writer (a loop device injected as a drive, as drive-writer.test.ts does), a system drive
// refused, and publishing with progress events. Oracles: mtools on the card, sha1sum -c on the folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { readLinuxDrive } from '../../../electron/core/drives/linux-lsblk.js';
import type { DriveInfo } from '../../../electron/service/drive-source.js';
import { PUBLISH_PROGRESS_ID } from '../../../electron/service/network-api.js';
import { type AstcardService, createAstcardService } from '../../../electron/service/service.js';
import type { JobProgress } from '../../../shared/api.js';
import { parseLoaderOptions } from '../../../shared/loader-config.js';
import {
  fakeImage,
  fsckCard,
  mtoolsRead,
  preparedCard,
  removeScratch,
  scratch,
} from '../../core/card/card-fixtures.js';

const MIB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;
const hasLosetup = spawnSync('losetup', ['--version']).status === 0;
const loops: string[] = [];
let service: AstcardService | undefined;

afterEach(() => service?.close());
afterAll(() => {
  for (const loop of loops.splice(0)) spawnSync('losetup', ['-d', loop]);
  removeScratch();
});

async function asDrive(device: string, system = false): Promise<DriveInfo> {
  const { record } = await readLinuxDrive(device);
  return {
    device,
    description: 'Loop card',
    size: record.size ?? 0,
    removable: !system,
    system,
    virtual: false,
    mountpoints: [],
    readOnly: record.isReadOnly,
    record: { ...record, isVirtual: false, isSystem: system, description: 'Loop card' },
  };
}

const optionsOf = (card: string) =>
  parseLoaderOptions(
    /^\s*APPEND (.*)$/m.exec(mtoolsRead(card, 'mbr', 'syslinux.cfg').toString('utf8'))?.[1] ?? '',
  ).options;

describe.skipIf(!isRoot || !hasLosetup)(
  'network settings on a drive (skipped unless root with losetup)',
  () => {
    test('are read, written through the writer and read back; a system drive is refused', async () => {
      const dir = scratch('bridge-network');
      const backing = join(dir, 'card.img');
      await preparedCard(backing, 40 * MIB, [fakeImage(dir, '2.0.0', MIB)]);
      const device = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
      loops.push(device);
      service = createAstcardService({
        appVersion: 't',
        drives: { list: async () => [await asDrive(device)] },
      });
      const { api } = service;
      await api.listCards();

      expect(await api.readNetwork(device)).toEqual({ urls: [], cardFallback: true, ip: null });
      const saved = await api.setNetwork(device, {
        urls: [' nfs://10.0.2.2/srv/astlinux ', '', 'http://10.0.2.2:8000/os/'],
        cardFallback: false,
        ip: '10.0.2.100/24,10.0.2.2',
      });
      expect(saved).toEqual({
        urls: ['nfs://10.0.2.2/srv/astlinux/', 'http://10.0.2.2:8000/os/'],
        cardFallback: false,
        ip: '10.0.2.100/24,10.0.2.2',
      });
      expect(optionsOf(backing)).toMatchObject({
        sources: ['nfs://10.0.2.2/srv/astlinux/', 'http://10.0.2.2:8000/os/', 'card=no'],
        ip: '10.0.2.100/24,10.0.2.2',
      });
      expect(fsckCard(backing, 'mbr').status).toBe(0);
      await expect(
        api.setNetwork(device, { urls: ['gopher://x/'], cardFallback: true, ip: null }),
      ).rejects.toMatchObject({ code: 'invalid-option' });
      expect(optionsOf(backing).ip).toBe('10.0.2.100/24,10.0.2.2');
      service.close();

      const digest = createHash('sha256').update(readFileSync(backing)).digest('hex');
      service = createAstcardService({
        appVersion: 't',
        drives: { list: async () => [await asDrive(device, true)] },
      });
      await service.api.listCards();
      await expect(
        service.api.setNetwork(device, { urls: [], cardFallback: true, ip: null }),
      ).rejects.toMatchObject({ code: 'system-drive' });
      expect(createHash('sha256').update(readFileSync(backing)).digest('hex')).toBe(digest);
    });
  },
);

describe('publishing from the window', () => {
  test('writes the folder with progress for each image, and refuses an empty request', async () => {
    const dir = scratch('bridge-publish');
    service = createAstcardService({ appVersion: 't', drives: { list: async () => [] } });
    const { api } = service;
    const progress: JobProgress[] = [];
    api.onProgress((event) => progress.push(event));
    const folder = join(dir, 'served');
    const result = await api.publishImages({
      jobId: 'pub',
      folder,
      images: [fakeImage(dir, '3.0.0', 3 * MIB), fakeImage(dir, '3.1.0', MIB)],
    });
    expect(result.folder).toBe(folder);
    expect(result.index.map((entry) => entry.name)).toEqual(['AstLinux-3.1.0.img', 'AstLinux-3.0.0.img']);
    execFileSync('sha1sum', ['-c', '--strict', 'astlinux.index'], { cwd: folder });
    for (const name of ['AstLinux-3.0.0.img', 'AstLinux-3.1.0.img']) {
      const last = progress.filter((event) => event.item === name).at(-1);
      expect(last).toMatchObject({ jobId: 'pub', cardId: PUBLISH_PROGRESS_ID, phase: 'write' });
      expect(last?.done).toBe(last?.total);
    }
    await expect(api.publishImages({ jobId: 'none', folder, images: [] })).rejects.toMatchObject({
      code: 'nothing-chosen',
    });
  });

  test('a cancelled publish stops between chunks: no partial file, the index keeps what was complete', async () => {
    const dir = scratch('bridge-publish-cancel');
    service = createAstcardService({ appVersion: 't', drives: { list: async () => [] } });
    const { api } = service;
    const folder = join(dir, 'served');
    await api.publishImages({ jobId: 'first', folder, images: [fakeImage(dir, '4.0.0', MIB)] });
    const indexBefore = readFileSync(join(folder, 'astlinux.index'), 'utf8');
    api.onProgress((event) => {
      if (event.jobId === 'stop') void api.cancelJob('stop');
    });
    await expect(
      api.publishImages({ jobId: 'stop', folder, images: [fakeImage(dir, '4.1.0', 24 * MIB)] }),
    ).rejects.toMatchObject({ code: 'cancelled', message: expect.stringMatching(/^Publishing was stopped/) });
    expect(readdirSync(folder).sort()).toEqual([
      'AstLinux-4.0.0.img',
      'AstLinux-4.0.0.img.sha1',
      'astlinux.index',
    ]);
    expect(readFileSync(join(folder, 'astlinux.index'), 'utf8')).toBe(indexBefore);
  });
});
