import { execFileSync, spawnSync } from 'node:child_process';
import { renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertSameIdentity,
  identityChanges,
  isWindowsDrivePath,
  readIdentity,
} from '../../../electron/core/drives/identity.js';
import { parseLsblkDrive } from '../../../electron/core/drives/linux-lsblk.js';
import { scratch } from '../card/card-fixtures.js';

describe('drive identity', () => {
  it('reads the system disk the way findmnt and lsblk name it', async () => {
    const root = spawnSync('findmnt', ['-n', '-o', 'SOURCE', '/'], { encoding: 'utf8' }).stdout.trim();
    const disk = spawnSync('lsblk', ['-n', '-d', '-o', 'PKNAME', root], { encoding: 'utf8' }).stdout.trim();
    const device = disk ? `/dev/${disk}` : root;
    const size = Number(
      spawnSync('lsblk', ['-n', '-d', '-b', '-o', 'SIZE', device], { encoding: 'utf8' }).stdout.trim(),
    );
    const identity = await readIdentity(device);
    expect(identity.device).toBe(device);
    expect(identity.size).toBe(size);
    expect(identity.removable).toBe(false);
  });

  it('knows Windows drive paths, which cannot be stat()ed, only on Windows', () => {
    expect(isWindowsDrivePath('\\\\.\\PhysicalDrive3', 'win32')).toBe(true);
    expect(isWindowsDrivePath('\\\\.\\PhysicalDrive3', 'linux')).toBe(false);
    expect(isWindowsDrivePath('C:\\cards\\card.img', 'win32')).toBe(false);
  });

  it('notices every field that changed', () => {
    const chosen = {
      device: '/dev/sdb',
      size: 1024966656,
      removable: true,
      bus: 'USB',
      model: 'Generic CF',
      serial: '000000000038',
    };
    expect(identityChanges(chosen, { ...chosen })).toEqual([]);
    expect(identityChanges(chosen, { ...chosen, size: 2013265920, serial: '000000000039' })).toEqual([
      'size',
      'serial',
    ]);
    expect(identityChanges(chosen, { ...chosen, removable: false, bus: 'SATA', model: 'Other' })).toEqual([
      'removable',
      'bus',
      'model',
    ]);
  });

  it('treats an image file replaced by another as a different target', async () => {
    const dir = scratch('identity');
    const file = join(dir, 'card.img');
    writeFileSync(file, '');
    truncateSync(file, 1024 * 1024);
    const chosen = await readIdentity(file);
    await expect(assertSameIdentity(chosen)).resolves.toEqual(chosen);
    const other = join(dir, 'other.img');
    writeFileSync(other, '');
    truncateSync(other, 1024 * 1024);
    renameSync(other, file);
    await expect(assertSameIdentity(chosen)).rejects.toMatchObject({ code: 'identity-changed' });
  });

  it('parses lsblk the way drivelist does, keeping model and serial, old and new flag styles', () => {
    const usb = parseLsblkDrive(
      JSON.stringify({
        blockdevices: [
          {
            name: '/dev/sdb',
            kname: '/dev/sdb',
            size: 1024966656,
            rm: '1',
            hotplug: '1',
            tran: 'usb',
            model: 'CF Card Reader',
            serial: '000000000038',
            vendor: 'Generic ',
            ro: '0',
            type: 'disk',
            subsystems: 'block:scsi:usb:pci',
            mountpoint: null,
            label: null,
            'phy-sec': 512,
            'log-sec': 512,
            children: [{ name: '/dev/sdb1', mountpoint: '/media/pat/ASTLINUX', label: 'ASTLINUX' }],
          },
        ],
      }),
    );
    expect(usb.identity).toEqual({
      device: '/dev/sdb',
      size: 1024966656,
      removable: true,
      bus: 'USB',
      model: 'Generic CF Card Reader',
      serial: '000000000038',
    });
    expect(usb.record.isSystem).toBe(false);
    expect(usb.record.mountpoints).toEqual([{ path: '/media/pat/ASTLINUX', label: 'ASTLINUX' }]);
    const ide = parseLsblkDrive(
      JSON.stringify({
        blockdevices: [
          {
            name: '/dev/sda',
            size: 4009549824,
            rm: false,
            hotplug: false,
            tran: 'sata',
            model: 'SanDisk SDCFH-004G',
            serial: 'BDZ0612',
            ro: false,
            subsystems: 'block:scsi:pci',
          },
        ],
      }),
    );
    expect(ide.record.isSystem).toBe(true);
    expect(ide.identity.bus).toBe('SATA');
  });

  it.skipIf(process.getuid?.() !== 0)(
    'reads a loop device, which drivelist hides (needs root for losetup)',
    async () => {
      const file = join(scratch('identity-loop'), 'backing.img');
      writeFileSync(file, '');
      truncateSync(file, 8 * 1024 * 1024);
      const loop = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
      try {
        const identity = await readIdentity(loop);
        expect(identity).toMatchObject({ device: loop, size: 8 * 1024 * 1024, removable: true });
      } finally {
        execFileSync('losetup', ['-d', loop]);
      }
    },
  );
});
