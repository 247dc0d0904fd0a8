/**
 * What a UEFI boot file is: x86-64 UEFI firmware starts `EFI/BOOT/BOOTX64.EFI`, a PE32+ image of subsystem
 * "EFI application". SYSLINUX's (syslinux.efi) is recognised by the version string it sends as its HTTP user
 * agent, which every efi64 build since 6.00 carries — RUNNIX's as well as Debian's.
 */

const PE_MACHINE_X86_64 = 0x8664;
const PE32_PLUS = 0x20b;
const EFI_APPLICATION = 10;
const SYSLINUX_AGENT = 'Syslinux/';
const VERSION_AFTER_AGENT = /^(\d+\.\d+)/;

/** True for an x86-64 UEFI application; anything else is not started by 64-bit UEFI firmware. */
export function isX64EfiApplication(bytes: Uint8Array): boolean {
  if (bytes.length < 0x40 || bytes[0] !== 0x4d || bytes[1] !== 0x5a) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pe = view.getUint32(0x3c, true);
  if (pe + 24 + 70 > bytes.length || view.getUint32(pe, true) !== 0x00004550) return false;
  const optional = pe + 24;
  return (
    view.getUint16(pe + 4, true) === PE_MACHINE_X86_64 &&
    view.getUint16(optional, true) === PE32_PLUS &&
    view.getUint16(optional + 68, true) === EFI_APPLICATION
  );
}

/** The SYSLINUX version of a syslinux.efi ("6.04"), or null when the file is some other boot program. */
export function syslinuxEfiVersion(bytes: Uint8Array): string | null {
  if (!isX64EfiApplication(bytes)) return null;
  // A native byte search: decoding the whole ~170 KB program to a string cost more than the rest of the check.
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (
    let at = file.indexOf(SYSLINUX_AGENT, 0, 'latin1');
    at >= 0;
    at = file.indexOf(SYSLINUX_AGENT, at + 1, 'latin1')
  ) {
    const start = at + SYSLINUX_AGENT.length;
    const version = VERSION_AFTER_AGENT.exec(file.toString('latin1', start, start + 16))?.[1];
    if (version) return version;
  }
  return null;
}

/** True for an x86-64 ELF64 module, which is what SYSLINUX's efi64 ldlinux.e64 is. */
export function isEfi64Module(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 20 &&
    bytes[0] === 0x7f &&
    bytes[1] === 0x45 &&
    bytes[2] === 0x4c &&
    bytes[3] === 0x46 &&
    bytes[4] === 2 &&
    ((bytes[18] ?? 0) | ((bytes[19] ?? 0) << 8)) === 0x3e
  );
}
