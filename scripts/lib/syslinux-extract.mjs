// Takes a matching ldlinux.sys image, ldlinux.c32 and boot sector out of Debian's (unpacked) syslinux program:
// it installs onto a scratch FAT image and we read the pieces back with mtools. Re-patching that installed
// copy gives exactly what patching the pristine embedded copy gives, since every patched field is rewritten.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LDLINUX_MAGIC = 0x3eb202fe;
const SECTOR = 512;

function run(command, args) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** mkfs.vfat lives in /usr/sbin, which is not on every user's PATH. */
function mkfsVfat() {
  for (const candidate of ['/usr/sbin/mkfs.vfat', '/sbin/mkfs.vfat'])
    if (existsSync(candidate)) return candidate;
  return 'mkfs.vfat';
}

function findPatchArea(image) {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  for (let offset = 0; offset + 32 <= Math.min(image.length, SECTOR); offset += 4) {
    if (view.getUint32(offset, true) === LDLINUX_MAGIC) return { view, offset };
  }
  throw new Error('ldlinux.sys read back from the scratch image has no SYSLINUX patch area');
}

/**
 * @param {{ syslinuxProgram: string, mbrFile: string }} sources
 * @returns {{ version: string, instance: string, files: Record<string, Uint8Array> }}
 */
export function extractSyslinuxPieces({ syslinuxProgram, mbrFile }) {
  const work = mkdtempSync(join(tmpdir(), 'astcard-syslinux-'));
  try {
    const image = join(work, 'scratch.img');
    // 16 MiB FAT16: a plain, unfragmented volume; the pieces do not depend on the volume's layout.
    run(mkfsVfat(), ['-C', '-F', '16', '-i', '5ca1ab1e', '-n', 'SCRATCH', image, String(16 * 1024)]);
    run(syslinuxProgram, ['--install', image]);
    const sysFile = join(work, 'ldlinux.sys');
    const c32File = join(work, 'ldlinux.c32');
    run('mcopy', ['-n', '-i', image, '::ldlinux.sys', sysFile]);
    run('mcopy', ['-n', '-i', image, '::ldlinux.c32', c32File]);

    const installed = new Uint8Array(readFileSync(sysFile));
    const { view, offset } = findPatchArea(installed);
    const imageLength = view.getUint32(offset + 12, true) * 4;
    if (imageLength === 0 || imageLength % SECTOR !== 0 || imageLength > installed.length) {
      throw new Error(`ldlinux.sys patch area gives an impossible image length ${imageLength}`);
    }
    const instance = `0x${view
      .getUint32(offset + 4, true)
      .toString(16)
      .padStart(8, '0')}`;
    const banner = /SYSLINUX (\d+\.\d+)/.exec(Buffer.from(installed.subarray(0, SECTOR)).toString('latin1'));
    if (!banner) throw new Error('ldlinux.sys carries no "SYSLINUX x.y" banner');

    const bootSector = new Uint8Array(readFileSync(image).subarray(0, SECTOR));
    const mbr = new Uint8Array(readFileSync(mbrFile));
    if (mbr.length > 440)
      throw new Error(`${mbrFile} is ${mbr.length} bytes; an MBR boot program must fit in 440`);

    return {
      version: banner[1],
      instance,
      files: {
        // The loader image alone: the installer appends a fresh ADV.
        'ldlinux.bin': installed.slice(0, imageLength),
        'ldlinux.c32': new Uint8Array(readFileSync(c32File)),
        'bootsect.bin': bootSector,
        'mbr.bin': mbr,
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
