import { describe, expect, it } from 'vitest';
import { isX64EfiApplication, syslinuxEfiVersion } from '../../../electron/core/syslinux/efi-program.js';

/** The smallest x86-64 EFI application header the check accepts, followed by `tail`. */
function efiApplication(tail: string): Uint8Array {
  const pe = 0x80;
  const bytes = new Uint8Array(0x200 + tail.length);
  const view = new DataView(bytes.buffer);
  bytes.set([0x4d, 0x5a]);
  view.setUint32(0x3c, pe, true);
  view.setUint32(pe, 0x00004550, true);
  view.setUint16(pe + 4, 0x8664, true);
  view.setUint16(pe + 24, 0x20b, true);
  view.setUint16(pe + 24 + 68, 10, true);
  bytes.set(new TextEncoder().encode(tail), 0x200);
  return bytes;
}

describe('syslinuxEfiVersion', () => {
  it('reads the version from the HTTP user agent', () => {
    const program = efiApplication('\0\0Syslinux/6.04\0');
    expect(isX64EfiApplication(program)).toBe(true);
    expect(syslinuxEfiVersion(program)).toBe('6.04');
  });

  it('skips a mention without a version and finds the agent after it', () => {
    expect(syslinuxEfiVersion(efiApplication('Syslinux/%s\0Syslinux/6.03\0'))).toBe('6.03');
  });

  it('finds the agent in a view into a larger buffer, not before the view', () => {
    const program = efiApplication('Syslinux/6.04');
    const larger = new Uint8Array(program.length + 64);
    larger.set(new TextEncoder().encode('Syslinux/9.99'), 0);
    larger.set(program, 64);
    expect(syslinuxEfiVersion(larger.subarray(64))).toBe('6.04');
  });

  it('is null for another boot program or a file that is no EFI application', () => {
    expect(syslinuxEfiVersion(efiApplication('GRUB 2.06\0'))).toBeNull();
    expect(syslinuxEfiVersion(new TextEncoder().encode(`${'x'.repeat(0x200)}Syslinux/6.04`))).toBeNull();
  });
});
