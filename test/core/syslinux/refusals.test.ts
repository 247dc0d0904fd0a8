/**
 * Volumes SYSLINUX cannot boot are refused with a typed error before anything is written — and Debian's
 * syslinux refuses the same volumes, so the refusals are not our invention.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/index.js';
import type { SyslinuxBinaries } from '../../../electron/core/syslinux/binaries.js';
import { checkBootableVolume } from '../../../electron/core/syslinux/boot-sector.js';
import { installSyslinux } from '../../../electron/core/syslinux/install.js';
import { SyslinuxError } from '../../../electron/core/syslinux/syslinux-error.js';
import { shippedBinaries } from './binaries-fixture.js';
import { makeOracleVolume } from './fat-oracle.js';

let work: string;
let binaries: SyslinuxBinaries;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'syslinux-refuse-'));
  binaries = await shippedBinaries();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function mkfs(name: string, args: string[], kib: number): string {
  const path = join(work, name);
  execFileSync('/usr/sbin/mkfs.vfat', ['-C', ...args, path, String(kib)], { stdio: 'ignore' });
  return path;
}

function debianSyslinuxRefuses(path: string): string {
  try {
    execFileSync('syslinux', ['--install', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
  throw new Error(`Debian's syslinux accepted ${path}`);
}

async function ourRefusal(path: string): Promise<string | undefined> {
  const disk = await FileBlockDevice.open(path);
  try {
    await installSyslinux(disk, { binaries });
  } catch (error) {
    return error instanceof SyslinuxError ? error.code : `unexpected ${String(error)}`;
  } finally {
    await disk.close();
  }
  return undefined;
}

const cases = [
  {
    name: '4096-byte sectors',
    make: () => mkfs('4k.img', ['-S', '4096'], 32 * 1024),
    code: 'unsupported-sector-size',
    debian: /sector/,
  },
  {
    name: 'a media byte of 0x00',
    make: () => {
      const path = mkfs('media.img', [], 8 * 1024);
      const bytes = readFileSync(path);
      bytes[21] = 0x00;
      writeFileSync(path, bytes);
      return path;
    },
    code: 'unsupported-media',
    debian: /media/,
  },
  {
    name: 'a FAT12 cluster count just under the FAT16 boundary',
    // 4071 clusters by the FAT specification; SYSLINUX's installer counts 4102 and calls it FAT16.
    make: () => mkfs('edge12.img', ['-F', '12', '-s', '1'], 2069),
    code: 'ambiguous-fat-type',
    debian: /clusters/,
  },
];

describe('refusing volumes SYSLINUX cannot boot', () => {
  it.each(cases)('$name', async ({ make, code, debian }) => {
    const path = make();
    const before = readFileSync(path);
    expect(await ourRefusal(path)).toBe(code);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(debianSyslinuxRefuses(path)).toMatch(debian);
  });
});

describe('refusing a partition whose boot sector does not know where it starts', () => {
  it('refuses when the hidden-sectors field is not the partition start', async () => {
    const volume = makeOracleVolume(join(work, 'hidden.img'), {
      sizeMiB: 16,
      fatType: 16,
      partitionStart: 2048,
    });
    const bytes = readFileSync(volume.path);
    bytes.writeUInt32LE(0, volume.offset + 28);
    writeFileSync(volume.path, bytes);
    expect(await ourRefusal(volume.path)).toBe('hidden-sectors-mismatch');
    expect(readFileSync(volume.path).equals(bytes)).toBe(true);
  });
});

describe('checkBootableVolume on boot sectors near the FAT type boundaries', () => {
  /** A FAT16-style BPB with one sector per cluster, `clusters` data clusters and 512 root entries. */
  function bpb(clusters: number, fatSize16: number): Uint8Array {
    const sector = new Uint8Array(512);
    const view = new DataView(sector.buffer);
    view.setUint16(11, 512, true);
    sector[13] = 1;
    view.setUint16(14, 1, true);
    sector[16] = 2;
    view.setUint16(17, 512, true);
    sector[21] = 0xf8;
    view.setUint16(22, fatSize16, true);
    view.setUint32(32, 1 + 2 * fatSize16 + 32 + clusters, true);
    view.setUint16(510, 0xaa55, true);
    return sector;
  }
  const code = (sector: Uint8Array) => {
    try {
      return checkBootableVolume(sector).fatType;
    } catch (error) {
      return error instanceof SyslinuxError ? error.code : 'unexpected';
    }
  };

  it('accepts counts well clear of 4085 and 65525 and names their FAT type', () => {
    expect(code(bpb(4000, 12))).toBe(12);
    expect(code(bpb(5000, 20))).toBe(16);
    expect(code(bpb(65000, 255))).toBe(16);
  });

  it('refuses counts at or near a boundary', () => {
    for (const clusters of [4084, 4085, 4090, 4099, 65520, 65525])
      expect(code(bpb(clusters, 256))).toBe('ambiguous-fat-type');
  });

  it('refuses a FAT16 cluster count in a FAT32-shaped BPB (FAT size only in the 32-bit field)', () => {
    const sector = bpb(20000, 80);
    const view = new DataView(sector.buffer);
    view.setUint16(22, 0, true);
    view.setUint32(36, 80, true);
    expect(code(sector)).toBe('ambiguous-fat-type');
  });
});
