// Takes SYSLINUX's UEFI pieces for x86-64 out of Debian's (unpacked) packages: syslinux.efi from syslinux-efi,
// which a card carries as EFI/BOOT/BOOTX64.EFI, and the ldlinux.e64 it loads from beside itself, from
// syslinux-common's efi64 modules. syslinux.efi links ldlinux.e64 against its own symbols when it loads it,
// so both must come from one source build: the two packages are built together and carry the same version.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const PE_MACHINE_X86_64 = 0x8664;
const PE32_PLUS = 0x20b;
const EFI_APPLICATION = 10;
const ELF_CLASS_64 = 2;
const ELF_MACHINE_X86_64 = 0x3e;

/** Where the two files sit inside the unpacked packages. */
export const EFI_PACKAGE_PATHS = {
  syslinuxEfi: join('usr', 'lib', 'SYSLINUX.EFI', 'efi64', 'syslinux.efi'),
  ldlinuxE64: join('usr', 'lib', 'syslinux', 'modules', 'efi64', 'ldlinux.e64'),
};

/** Refuses anything but an x86-64 UEFI application (PE32+, subsystem EFI application). */
export function checkEfiApplication(bytes, what) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 0x40 || view.getUint16(0, true) !== 0x5a4d)
    throw new Error(`${what} is not a PE file (no MZ header)`);
  const pe = view.getUint32(0x3c, true);
  if (pe + 24 + 70 > bytes.length || view.getUint32(pe, true) !== 0x00004550)
    throw new Error(`${what} has no PE header`);
  const machine = view.getUint16(pe + 4, true);
  if (machine !== PE_MACHINE_X86_64)
    throw new Error(`${what} is built for machine 0x${machine.toString(16)}, not x86-64`);
  const optional = pe + 24;
  if (view.getUint16(optional, true) !== PE32_PLUS) throw new Error(`${what} is not PE32+`);
  const subsystem = view.getUint16(optional + 68, true);
  if (subsystem !== EFI_APPLICATION)
    throw new Error(`${what} is PE subsystem ${subsystem}, not an EFI application (10)`);
}

/** Refuses anything but an x86-64 ELF64 object, which is what SYSLINUX's efi64 modules are. */
export function checkEfi64Module(bytes, what) {
  if (bytes.length < 20 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46)
    throw new Error(`${what} is not an ELF file`);
  if (bytes[4] !== ELF_CLASS_64) throw new Error(`${what} is not a 64-bit module`);
  const machine = bytes[18] | (bytes[19] << 8);
  if (machine !== ELF_MACHINE_X86_64)
    throw new Error(`${what} is built for ELF machine ${machine}, not x86-64`);
}

/**
 * @param {{ efiPackage: { root: string, version: string }, commonPackage: { root: string, version: string } }} sources
 * @returns {{ version: string, files: Record<string, Uint8Array> }}
 */
export function extractSyslinuxEfiPieces({ efiPackage, commonPackage }) {
  if (efiPackage.version !== commonPackage.version) {
    throw new Error(
      `syslinux-efi ${efiPackage.version} and syslinux-common ${commonPackage.version} are different builds; ` +
        'syslinux.efi only loads the ldlinux.e64 built with it',
    );
  }
  const syslinuxEfi = new Uint8Array(readFileSync(join(efiPackage.root, EFI_PACKAGE_PATHS.syslinuxEfi)));
  const ldlinuxE64 = new Uint8Array(readFileSync(join(commonPackage.root, EFI_PACKAGE_PATHS.ldlinuxE64)));
  checkEfiApplication(syslinuxEfi, 'syslinux.efi');
  checkEfi64Module(ldlinuxE64, 'ldlinux.e64');
  // The HTTP user agent string is the one place syslinux.efi states its version.
  const agent = /Syslinux\/(\d+\.\d+)/.exec(Buffer.from(syslinuxEfi).toString('latin1'));
  if (!agent) throw new Error('syslinux.efi carries no "Syslinux/x.y" version string');
  return {
    version: agent[1],
    files: { 'efi64/syslinux.efi': syslinuxEfi, 'efi64/ldlinux.e64': ldlinuxE64 },
  };
}
