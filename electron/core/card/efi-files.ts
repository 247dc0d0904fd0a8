/**
 * The card's UEFI side: `EFI/BOOT/BOOTX64.EFI` (SYSLINUX's syslinux.efi, the file x86-64 UEFI firmware starts
 * from a removable medium), the `ldlinux.e64` it loads from beside itself, and `EFI/BOOT/syslinux.cfg`, the
 * UEFI rendering of the card's boot menu (shared/boot-menu.ts).
 *
 * Write order, so that a cut at any write leaves the BIOS side untouched and the UEFI side either as it was,
 * as it is meant to be, or (only while an old or foreign pair is being replaced) not starting at all:
 *   1. a boot program that must go is deleted first — UEFI then starts nothing from the card, rather than
 *      syslinux.efi with an ldlinux.e64 of another build;
 *   2. the folders, then ldlinux.e64, then the config (each file appears, or changes, in one directory-entry
 *      write: see fat-volume.ts);
 *   3. BOOTX64.EFI last: its appearance is what makes the card start on UEFI.
 * syslinux.efi looks for its menu in EFI/BOOT/ before `/`, so a card with the program but no EFI config
 * still boots the BIOS menu (relative paths resolve against the config's folder, the root).
 */
import { createHash } from 'node:crypto';
import {
  type BootMenu,
  bootMenuDifferences,
  defaultEntry,
  EFI_BOOT_DIR,
  renderEfiConfig,
} from '../../../shared/boot-menu.js';
import { readBootMenu } from '../../../shared/boot-menu-read.js';
import { PolicyError } from '../../../shared/errors.js';
import { FatError } from '../fat/fat-error.js';
import type { FatVolume } from '../fat/fat-volume.js';
import type { SyslinuxEfiBinaries } from '../syslinux/binaries.js';
import { isEfi64Module, syslinuxEfiVersion } from '../syslinux/efi-program.js';

export const EFI_FILES = {
  dir: 'EFI',
  bootDir: EFI_BOOT_DIR,
  program: `${EFI_BOOT_DIR}/BOOTX64.EFI`,
  ldlinux: `${EFI_BOOT_DIR}/ldlinux.e64`,
  config: `${EFI_BOOT_DIR}/syslinux.cfg`,
} as const;

const MAX_PROGRAM_BYTES = 16 * 1024 * 1024;
const MAX_CONFIG_BYTES = 64 * 1024;

/** What the card's EFI/BOOT folder holds. */
export interface EfiState {
  /** The boot program's path as the card spells it (RUNNIX writes `bootx64.efi`), null when there is none. */
  program: string | null;
  /** SYSLINUX's version when the boot program is syslinux.efi; null for another program or none. */
  syslinuxVersion: string | null;
  /** ldlinux.e64 is there and is an x86-64 module. */
  ldlinuxE64: boolean;
  /** Both files are byte for byte one of the builds we were given; null when none was given to compare. */
  shipped: boolean | null;
  /** EFI/BOOT/syslinux.cfg, null when absent (or too large to be one). */
  configText: string | null;
}

/** A card without any of it, as prepare starts. */
export const NO_EFI: EfiState = {
  program: null,
  syslinuxVersion: null,
  ldlinuxE64: false,
  shipped: null,
  configText: null,
};

/** What stands between the card and a UEFI boot of the same menu as on BIOS. Closed set. */
export type EfiProblemCode =
  /** No EFI/BOOT/BOOTX64.EFI: UEFI firmware finds nothing to start. */
  | 'uefi-no-boot-program'
  /** BOOTX64.EFI is some other boot program, which does not read our menu. */
  | 'uefi-other-boot-program'
  /** syslinux.efi without its ldlinux.e64: it stops before reading any menu. */
  | 'uefi-no-ldlinux-e64'
  /** No EFI/BOOT/syslinux.cfg: syslinux.efi falls back to the BIOS menu, without its prompt. */
  | 'uefi-config-missing'
  /** EFI/BOOT/syslinux.cfg boots something else than /syslinux.cfg. */
  | 'uefi-config-differs';

export interface EfiDiagnosis {
  problems: EfiProblemCode[];
  /** How the two menus differ, one line each (for `uefi-config-differs`). */
  differences: string[];
  /** The menu syslinux.efi reads: the EFI config's, else the BIOS one; null when neither boots anything. */
  menu: BootMenu | null;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readIfPresent(volume: FatVolume, path: string, limit: number): Promise<Uint8Array | null> {
  try {
    const entry = await volume.stat(path);
    if (!entry.isFile || entry.size > limit) return null;
    return await volume.readFile(path);
  } catch (error) {
    if (error instanceof FatError && (error.code === 'not-found' || error.code === 'not-a-directory'))
      return null;
    throw error;
  }
}

async function nameOnCard(volume: FatVolume, path: string): Promise<string | null> {
  try {
    const entry = await volume.stat(path);
    return entry.isFile ? `${EFI_BOOT_DIR}/${entry.name}` : null;
  } catch (error) {
    if (error instanceof FatError && (error.code === 'not-found' || error.code === 'not-a-directory'))
      return null;
    throw error;
  }
}

/** Reads EFI/BOOT; `builds` are the SYSLINUX builds to recognise as ours (astcard's shipped one). */
export async function readEfiState(volume: FatVolume, builds: SyslinuxEfiBinaries[] = []): Promise<EfiState> {
  const programName = await nameOnCard(volume, EFI_FILES.program);
  const program = programName === null ? null : await readIfPresent(volume, programName, MAX_PROGRAM_BYTES);
  const ldlinux = await readIfPresent(volume, EFI_FILES.ldlinux, MAX_PROGRAM_BYTES);
  const config = await readIfPresent(volume, EFI_FILES.config, MAX_CONFIG_BYTES);
  let shipped: boolean | null = null;
  if (builds.length > 0) {
    const programSum = program ? sha256(program) : '';
    const ldlinuxSum = ldlinux ? sha256(ldlinux) : '';
    shipped = builds.some(
      (build) => sha256(build.bootx64) === programSum && sha256(build.ldlinuxE64) === ldlinuxSum,
    );
  }
  return {
    program: programName,
    syslinuxVersion: program ? syslinuxEfiVersion(program) : null,
    ldlinuxE64: ldlinux !== null && isEfi64Module(ldlinux),
    shipped,
    configText: config === null ? null : new TextDecoder().decode(config),
  };
}

/**
 * Compares the UEFI side with the BIOS menu (`bios`, from /syslinux.cfg). A SYSLINUX pair of another build
 * (RUNNIX's) is no problem: it is kept, and reads our menu like ours does.
 */
export function diagnoseEfi(state: EfiState, bios: BootMenu | null): EfiDiagnosis {
  const problems: EfiProblemCode[] = [];
  let differences: string[] = [];
  if (state.program === null) problems.push('uefi-no-boot-program');
  else if (state.syslinuxVersion === null) problems.push('uefi-other-boot-program');
  else if (!state.ldlinuxE64) problems.push('uefi-no-ldlinux-e64');
  const efi = state.configText === null ? null : readBootMenu(state.configText, EFI_BOOT_DIR);
  if (state.configText === null) {
    problems.push('uefi-config-missing');
  } else if (bios !== null) {
    differences = efi === null ? ['the UEFI menu boots nothing'] : bootMenuDifferences(bios, efi);
    if (differences.length > 0) problems.push('uefi-config-differs');
  }
  return { problems, differences, menu: state.configText === null ? bios : efi };
}

/** True when the menu's default label boots files that the card has. */
export async function menuBoots(volume: FatVolume, menu: BootMenu | null): Promise<boolean> {
  const entry = menu ? defaultEntry(menu) : null;
  if (!entry) return false;
  const needed = [entry.kernel, ...(entry.initrd ? entry.initrd.split(',') : [])];
  for (const path of needed) if (!(await isFile(volume, path))) return false;
  return true;
}

async function isFile(volume: FatVolume, path: string): Promise<boolean> {
  try {
    return (await volume.stat(path)).isFile;
  } catch (error) {
    if (error instanceof FatError && (error.code === 'not-found' || error.code === 'not-a-directory'))
      return false;
    throw error;
  }
}

/** Whether the boot program pair must be (re)written with ours: missing, incomplete, not SYSLINUX, or forced. */
export function programNeedsWriting(state: EfiState, force: boolean): boolean {
  if (state.program === null || state.syslinuxVersion === null || !state.ldlinuxE64) return true;
  return force && state.shipped !== true;
}

export interface WriteEfiOptions {
  binaries: SyslinuxEfiBinaries;
  /** The UEFI rendering of the card's menu; written only when it differs from what is there. */
  configText: string;
  state: EfiState;
  /** Replace a working SYSLINUX pair of another build too (otherwise it is kept). */
  force?: boolean;
}

export interface WriteEfiResult {
  /** The boot program pair: written now (`added` where there was none), or left as it was. */
  program: 'added' | 'replaced' | 'kept';
  configWritten: boolean;
}

/** Brings EFI/BOOT up to date in the order described at the top of this file. */
export async function writeEfiBoot(volume: FatVolume, options: WriteEfiOptions): Promise<WriteEfiResult> {
  const { state, binaries } = options;
  const writeProgram = programNeedsWriting(state, options.force ?? false);
  if (writeProgram && state.program !== null) {
    await volume.unlink(state.program);
    await volume.flush();
  }
  for (const dir of [EFI_FILES.dir, EFI_FILES.bootDir]) await ensureDirectory(volume, dir);
  if (writeProgram) await volume.writeFile(EFI_FILES.ldlinux, binaries.ldlinuxE64);
  const configWritten = state.configText !== options.configText;
  if (configWritten) await volume.writeFile(EFI_FILES.config, new TextEncoder().encode(options.configText));
  if (writeProgram) await volume.writeFile(EFI_FILES.program, binaries.bootx64);
  await volume.flush();
  return { program: writeProgram ? (state.program === null ? 'added' : 'replaced') : 'kept', configWritten };
}

/**
 * Renders `menu` (the BIOS menu, read from /syslinux.cfg) into EFI/BOOT/syslinux.cfg, on a card that has a
 * UEFI side at all. A menu that cannot be rendered (another tool's labels with spaces, say) or boots nothing
 * removes the EFI config instead: syslinux.efi then reads /syslinux.cfg itself, so the two never disagree.
 */
export async function syncEfiConfig(
  volume: FatVolume,
  state: EfiState,
  menu: BootMenu | null,
): Promise<EfiState> {
  if (state.program === null && state.configText === null) return state;
  const configText = menu === null ? null : efiConfigFor(menu);
  if (configText === state.configText) return state;
  if (configText === null) {
    await volume.unlink(EFI_FILES.config);
  } else {
    await ensureDirectory(volume, EFI_FILES.dir);
    await ensureDirectory(volume, EFI_FILES.bootDir);
    await volume.writeFile(EFI_FILES.config, new TextEncoder().encode(configText));
  }
  await volume.flush();
  return { ...state, configText };
}

/** The UEFI rendering of a menu, or null when it cannot be rendered. */
export function efiConfigFor(menu: BootMenu): string | null {
  try {
    return renderEfiConfig(menu);
  } catch (error) {
    if (error instanceof PolicyError) return null;
    throw error;
  }
}

async function ensureDirectory(volume: FatVolume, path: string): Promise<void> {
  try {
    if ((await volume.stat(path)).isDirectory) return;
    throw new FatError('not-a-directory', path);
  } catch (error) {
    if (!(error instanceof FatError && error.code === 'not-found')) throw error;
  }
  await volume.mkdir(path);
}

/** Bytes the UEFI files take on a card, for prepare's size check. */
export function efiBytes(binaries: SyslinuxEfiBinaries): number {
  return binaries.bootx64.length + binaries.ldlinuxE64.length + MAX_CONFIG_BYTES / 16;
}
