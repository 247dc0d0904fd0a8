/**
 * The card's boot menu: one model, two renderings. SYSLINUX on BIOS reads `/syslinux.cfg`; syslinux.efi on
 * UEFI reads `/EFI/BOOT/syslinux.cfg` first (it searches its own folder before `/`). Both must boot the same
 * loader with the same options, so astcard never edits one file alone: it changes the model and renders both.
 *
 * The renderings differ only where the firmwares differ:
 * - paths: relative to the card's root on BIOS (the config's folder), absolute (`/bzImage`) on UEFI, because
 *   relative names there would be looked up in EFI/BOOT/;
 * - the prompt: on BIOS, holding Shift or Alt at start-up opens SYSLINUX's `boot:` prompt, where the
 *   `previous` label (or options such as `astlinux.rescue`) can be typed; syslinux.efi cannot read the
 *   Shift key from UEFI firmware, so its rendering always shows the prompt for EFI_PROMPT_TENTHS before
 *   booting the default. TOTALTIMEOUT bounds the wait even after a keystroke, so noise on a serial line
 *   can never hold a headless box at the prompt.
 */
import { PolicyError } from './errors.js';

export interface BootEntry {
  readonly label: string;
  /** The kernel's path from the card's root, without a leading slash: `bzImage`. */
  readonly kernel: string;
  /** The initramfs path(s) from the card's root, comma-separated as INITRD takes them; null for none. */
  readonly initrd: string | null;
  /** The kernel command line; '' for none. Never holds `initrd=` (that is `initrd`). */
  readonly append: string;
}

export interface BootMenu {
  /** `SERIAL <port> <baud>`: SYSLINUX's own console on a serial port; null for none. */
  readonly serial: { readonly port: number; readonly baud: number } | null;
  /**
   * The BIOS rendering's TIMEOUT, in tenths of a second: how long the prompt that Shift or Alt opens waits
   * before booting the default (0: until Enter). The UEFI rendering has its own, fixed prompt.
   */
  readonly timeout: number;
  readonly defaultLabel: string;
  readonly entries: readonly BootEntry[];
}

/** How long syslinux.efi shows its `boot:` prompt before booting the default: 2 s. */
export const EFI_PROMPT_TENTHS = 20;
/** The longest a keystroke at that prompt can hold the boot: 60 s, then the default boots anyway. */
export const EFI_TOTAL_TIMEOUT_TENTHS = 600;
/** Where UEFI firmware looks for a removable medium's boot program, and syslinux.efi for its menu. */
export const EFI_BOOT_DIR = 'EFI/BOOT';

const BIOS_HEADER = '# Written by astcard. The loader reads its astlinux.* options from the APPEND line.';
const EFI_HEADER = [
  '# Written by astcard for UEFI (syslinux.efi); /syslinux.cfg holds the same menu for BIOS.',
  '# Paths are absolute: relative ones would be looked up in /EFI/BOOT. UEFI gives SYSLINUX no Shift key,',
  '# so the boot: prompt is always shown briefly; type a label (e.g. previous) there to choose it.',
];

function checkWord(value: string, what: string): void {
  if (value === '' || /\s/.test(value))
    throw new PolicyError('invalid-option', `${what} "${value}" in syslinux.cfg`);
}

function checkEntry(entry: BootEntry): void {
  checkWord(entry.label, 'the label');
  checkWord(entry.kernel, 'the kernel');
  if (entry.initrd !== null) checkWord(entry.initrd, 'the initrd');
  if (/[\r\n]/.test(entry.append))
    throw new PolicyError('invalid-option', 'an APPEND line cannot contain a line break');
  // SYSLINUX reads `APPEND -` as "no options at all", so a lone "-" would not reach the kernel.
  if (entry.append.trim() === '-')
    throw new PolicyError('invalid-option', 'an APPEND line of just "-" means no options to SYSLINUX');
  if (/(^|\s)initrd=/i.test(entry.append))
    throw new PolicyError('invalid-option', 'initrd= belongs in the entry’s initrd, not in its APPEND line');
}

function checkMenu(menu: BootMenu): void {
  if (menu.entries.length === 0)
    throw new PolicyError('invalid-option', 'a boot menu needs at least one label');
  let found = false;
  for (let i = 0; i < menu.entries.length; i++) {
    const entry = menu.entries[i] as BootEntry;
    checkEntry(entry);
    if (entry.label.toLowerCase() === menu.defaultLabel.toLowerCase()) found = true;
  }
  if (!found)
    throw new PolicyError('unknown-label', `the default label ${menu.defaultLabel} is not in the menu`);
}

function absolute(paths: string): string {
  const parts = paths.split(',');
  for (let i = 0; i < parts.length; i++) parts[i] = `/${(parts[i] as string).replace(/^\/+/, '')}`;
  return parts.join(',');
}

function render(
  menu: BootMenu,
  header: string[],
  settings: string[],
  path: (p: string) => string,
  eol: string,
) {
  checkMenu(menu);
  const lines = header.slice();
  if (menu.serial) lines.push(`SERIAL ${menu.serial.port} ${menu.serial.baud}`);
  lines.push(`DEFAULT ${menu.defaultLabel}`);
  for (let i = 0; i < settings.length; i++) lines.push(settings[i] as string);
  for (let i = 0; i < menu.entries.length; i++) {
    const entry = menu.entries[i] as BootEntry;
    lines.push(`LABEL ${entry.label}`, `  LINUX ${path(entry.kernel)}`);
    if (entry.initrd !== null) lines.push(`  INITRD ${path(entry.initrd)}`);
    if (entry.append !== '') lines.push(`  APPEND ${entry.append}`);
  }
  return lines.join(eol) + eol;
}

/** `/syslinux.cfg`, for SYSLINUX on BIOS: paths relative to the card's root. */
export function renderBiosConfig(menu: BootMenu, eol: '\n' | '\r\n' = '\n'): string {
  const settings = ['PROMPT 0', `TIMEOUT ${menu.timeout}`];
  return render(menu, [BIOS_HEADER], settings, (p) => p, eol);
}

/** `/EFI/BOOT/syslinux.cfg`, for syslinux.efi on UEFI: absolute paths and a short prompt. */
export function renderEfiConfig(menu: BootMenu, eol: '\n' | '\r\n' = '\n'): string {
  const settings = ['PROMPT 1', `TIMEOUT ${EFI_PROMPT_TENTHS}`, `TOTALTIMEOUT ${EFI_TOTAL_TIMEOUT_TENTHS}`];
  return render(menu, EFI_HEADER, settings, absolute, eol);
}

function words(commandLine: string): string {
  return commandLine
    .split(/\s+/)
    .filter((word) => word !== '')
    .join(' ');
}

function entryNamed(menu: BootMenu, label: string): BootEntry | null {
  for (let i = 0; i < menu.entries.length; i++) {
    const entry = menu.entries[i] as BootEntry;
    if (entry.label.toLowerCase() === label.toLowerCase()) return entry;
  }
  return null;
}

function sameName(a: string | null, b: string | null): boolean {
  return a === b || (a !== null && b !== null && a.toLowerCase() === b.toLowerCase());
}

/**
 * Where the BIOS and UEFI menus would boot differently, one plain line each; empty when they agree. The
 * prompt settings are each firmware's own and not compared; file names compare as FAT does, ignoring case.
 */
export function bootMenuDifferences(bios: BootMenu, efi: BootMenu): string[] {
  const out: string[] = [];
  if (!sameName(bios.defaultLabel, efi.defaultLabel))
    out.push(`default label: ${bios.defaultLabel} on BIOS, ${efi.defaultLabel} on UEFI`);
  const serial = (menu: BootMenu) => (menu.serial ? `${menu.serial.port} ${menu.serial.baud}` : 'none');
  if (serial(bios) !== serial(efi))
    out.push(`serial console: ${serial(bios)} on BIOS, ${serial(efi)} on UEFI`);
  for (let i = 0; i < bios.entries.length; i++) {
    const entry = bios.entries[i] as BootEntry;
    const other = entryNamed(efi, entry.label);
    if (other === null) {
      out.push(`label ${entry.label}: only on BIOS`);
      continue;
    }
    if (!sameName(entry.kernel, other.kernel))
      out.push(`label ${entry.label}: kernel ${entry.kernel} on BIOS, ${other.kernel} on UEFI`);
    if (!sameName(entry.initrd, other.initrd))
      out.push(
        `label ${entry.label}: initrd ${entry.initrd ?? 'none'} on BIOS, ${other.initrd ?? 'none'} on UEFI`,
      );
    if (words(entry.append) !== words(other.append))
      out.push(
        `label ${entry.label}: options "${words(entry.append)}" on BIOS, "${words(other.append)}" on UEFI`,
      );
  }
  for (let i = 0; i < efi.entries.length; i++) {
    const entry = efi.entries[i] as BootEntry;
    if (entryNamed(bios, entry.label) === null) out.push(`label ${entry.label}: only on UEFI`);
  }
  return out;
}

/** The entry the menu boots when nobody types anything. */
export function defaultEntry(menu: BootMenu): BootEntry | null {
  return entryNamed(menu, menu.defaultLabel);
}
