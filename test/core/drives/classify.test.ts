import { describe, expect, it } from 'vitest';
import {
  type ClassifiedDrive,
  classifyDrives,
  confirmationMatches,
  writeAllowed,
} from '../../../electron/core/drives/classify.js';
import { loadFixture } from './fixtures.js';

function byDevice(drives: ClassifiedDrive[], device: string): ClassifiedDrive {
  const found = drives.find((drive) => drive.device === device);
  if (!found) throw new Error(`${device} missing from the fixture`);
  return found;
}

const codes = (drive: ClassifiedDrive) => drive.reasons.map((reason) => reason.code).sort();

describe('drive classification — Linux, CF card in an internal IDE adapter', () => {
  const fixture = loadFixture('linux-cf-ide-adapter');
  const drives = classifyDrives(fixture.drives, { platform: fixture.platform, plannedBytes: 300e6 });

  it('refuses the NVMe disk that holds /, /boot/efi and swap, whatever is typed', () => {
    const nvme = byDevice(drives, '/dev/nvme0n1');
    expect(nvme.access).toBe('blocked');
    expect(nvme.system).toBe(true);
    expect(codes(nvme)).toEqual(['large', 'running-system', 'system']);
    expect(writeAllowed(nvme, { confirmed: true, typedName: 'nvme0n1' })).toBe(false);
  });

  it('offers the CF card only behind its exact typed name, hidden from the default list', () => {
    const cf = byDevice(drives, '/dev/sda');
    expect(cf.system).toBe(true);
    expect(cf.hidden).toBe(true);
    expect(cf.access).toBe('type-name');
    expect(codes(cf)).toEqual(['system']);
    expect(cf.confirmName).toBe('sda');
    expect(cf.reasons[0]?.message).toContain('IDE/SATA adapter');
    expect(writeAllowed(cf, { confirmed: true })).toBe(false);
    expect(writeAllowed(cf, { typedName: 'SDA' })).toBe(false);
    expect(writeAllowed(cf, { typedName: 'sda ' })).toBe(false);
    expect(confirmationMatches(cf, 'sda')).toBe(true);
    expect(writeAllowed(cf, { typedName: 'sda' })).toBe(true);
  });
});

describe('drive classification — Linux, multi-slot USB reader', () => {
  const fixture = loadFixture('linux-multislot-reader');

  it('lists the card slots, hides empty slots and the system disk', () => {
    const drives = classifyDrives(fixture.drives, { platform: fixture.platform, plannedBytes: 200e6 });
    expect(drives.filter((drive) => !drive.hidden).map((drive) => drive.device)).toEqual([
      '/dev/sdb',
      '/dev/sde',
    ]);
    for (const empty of ['/dev/sdc', '/dev/sdd']) {
      const slot = byDevice(drives, empty);
      expect(codes(slot)).toEqual(['no-media']);
      expect(slot.access).toBe('blocked');
    }
    expect(codes(byDevice(drives, '/dev/sda'))).toEqual(['large', 'running-system', 'system']);
  });

  it('says the mounted CF card will be unmounted, and the 64 MB microSD is too small', () => {
    const drives = classifyDrives(fixture.drives, { platform: fixture.platform, plannedBytes: 200e6 });
    const cf = byDevice(drives, '/dev/sdb');
    expect(cf.access).toBe('ok');
    expect(codes(cf)).toEqual(['mounted']);
    const micro = byDevice(drives, '/dev/sde');
    expect(micro.access).toBe('blocked');
    expect(codes(micro)).toEqual(['too-small']);
    expect(micro.reasons[0]?.message).toMatch(/68 MB.*200 MB/);
  });

  it('refuses the card that holds the source image, and only that one', () => {
    const drives = classifyDrives(fixture.drives, {
      platform: fixture.platform,
      sourcePaths: ['/media/pat/ASTLINUX/AstLinux-1.5.4.img'],
    });
    expect(codes(byDevice(drives, '/dev/sdb'))).toEqual(['holds-source']);
    expect(byDevice(drives, '/dev/sdb').access).toBe('blocked');
    expect(byDevice(drives, '/dev/sde').access).toBe('ok');
    // A sibling folder whose name merely starts the same is not inside the mount.
    const sibling = classifyDrives(fixture.drives, {
      platform: fixture.platform,
      sourcePaths: ['/media/pat/ASTLINUX2/AstLinux-1.5.4.img'],
    });
    expect(codes(byDevice(sibling, '/dev/sdb'))).toEqual(['mounted']);
  });

  it('marks a drive that is already an AstLinux card, with its summary', () => {
    const card = {
      label: 'ASTLINUX',
      loaderVersion: '1.0.0',
      images: ['AstLinux-1.5.4.img'],
      boots: 'AstLinux-1.5.4.img',
      problems: [],
      source: 'device' as const,
    };
    const drives = classifyDrives(fixture.drives, {
      platform: fixture.platform,
      cards: { '/dev/sde': card },
    });
    const micro = byDevice(drives, '/dev/sde');
    expect(micro.card).toEqual(card);
    expect(codes(micro)).toEqual(['astlinux-card']);
    expect(micro.access).toBe('ok');
  });
});

describe('drive classification — Windows', () => {
  const fixture = loadFixture('windows-sd-locked');
  const drives = classifyDrives(fixture.drives, {
    platform: fixture.platform,
    sourcePaths: ['F:\\images\\AstLinux-1.5.4.img'],
    plannedBytes: 300e6,
  });

  it('refuses C: outright and guards the internal data disk behind its typed name', () => {
    const c = byDevice(drives, '\\\\.\\PhysicalDrive0');
    expect(c.access).toBe('blocked');
    expect(codes(c)).toContain('running-system');
    const d = byDevice(drives, '\\\\.\\PhysicalDrive1');
    expect(d.access).toBe('type-name');
    expect(d.confirmName).toBe('PhysicalDrive1');
    expect(codes(d)).toEqual(['large', 'mounted', 'system']);
  });

  it('refuses the locked SD card, saying how to unlock it', () => {
    const sd = byDevice(drives, '\\\\.\\PhysicalDrive2');
    expect(sd.access).toBe('blocked');
    expect(codes(sd)).toEqual(['mounted', 'read-only']);
    expect(sd.reasons.find((reason) => reason.code === 'read-only')?.message).toContain('lock switch');
  });

  it('refuses the USB disk holding the source, matching drive letters case-insensitively', () => {
    const usb = byDevice(drives, '\\\\.\\PhysicalDrive3');
    expect(codes(usb)).toEqual(['holds-source', 'large']);
    const lower = classifyDrives(fixture.drives, {
      platform: 'win32',
      sourcePaths: ['f:\\AstLinux-1.5.4.img'],
    });
    expect(codes(byDevice(lower, '\\\\.\\PhysicalDrive3'))).toContain('holds-source');
  });
});

describe('drive classification — macOS', () => {
  const fixture = loadFixture('macos-sd-reader');
  const drives = classifyDrives(fixture.drives, { platform: fixture.platform, plannedBytes: 300e6 });

  it('never writes the internal SSD or the APFS container holding /', () => {
    expect(byDevice(drives, '/dev/disk0').access).toBe('blocked');
    expect(codes(byDevice(drives, '/dev/disk3'))).toEqual(['large', 'running-system', 'system', 'virtual']);
  });

  it('refuses the locked SD card, offers the CF slot, hides the empty SD slot', () => {
    expect(codes(byDevice(drives, '/dev/disk4'))).toEqual(['mounted', 'read-only']);
    expect(byDevice(drives, '/dev/disk5').access).toBe('ok');
    expect(byDevice(drives, '/dev/disk5').hidden).toBe(false);
    expect(byDevice(drives, '/dev/disk6').hidden).toBe(true);
    expect(drives.filter((drive) => !drive.hidden).map((drive) => drive.device)).toEqual([
      '/dev/disk4',
      '/dev/disk5',
    ]);
  });
});

describe('drive classification — recorded on this machine', () => {
  it('calls the virtio system disk holding / a system drive, never writable', () => {
    const fixture = loadFixture('linux-this-machine');
    const drives = classifyDrives(fixture.drives, { platform: 'linux' });
    const vda = byDevice(drives, '/dev/vda');
    expect(vda.system).toBe(true);
    expect(vda.access).toBe('blocked');
    expect(codes(vda)).toContain('running-system');
    expect(drives.every((drive) => drive.hidden)).toBe(true);
  });
});
