/**
 * Loader update: puts this app's loader on a card without ever leaving it unbootable.
 *
 *   1. SYSLINUX is reinstalled first when it is missing, damaged or another build than ours — the files it
 *      reads are not touched by that, so the current configuration keeps booting;
 *   2. the new kernel and initramfs go into the loader slot the card is not booting from (the previous
 *      fallback is deleted to make room), are flushed, read back and compared;
 *   3. the UEFI side is brought up to date (efi-files.ts): syslinux.efi and ldlinux.e64 added when missing or
 *      not SYSLINUX (a SYSLINUX pair of another build, e.g. RUNNIX's, is kept), and EFI/BOOT/syslinux.cfg
 *      rendered from the new boot menu;
 *   4. `/syslinux.cfg` is written whole under a temporary name and renamed over the old one: that rename is
 *      the switch for BIOS. The loader that was booting stays on the card as the `previous` label, and the
 *      `astlinux.*` options, the consoles and the serial line are carried over.
 *
 * Both configs are renderings of one boot menu (shared/boot-menu.ts); /syslinux.cfg is the one read back.
 * A cut before step 4 leaves BIOS booting the old loader, after it the new one. UEFI switches at step 3 (or
 * starts booting at all there, on an old card); a cut between 3 and 4 leaves UEFI on the new loader and BIOS
 * on the old, both complete, and inspect reports the two menus out of step until the next update. Before
 * the slot is overwritten, an EFI config still booting that slot (such a cut, repeated) is first rendered
 * again from /syslinux.cfg, so neither firmware ever boots a half-written loader.
 */
import { createHash } from 'node:crypto';
import { judgeBootConfig } from '../../../shared/boot-config-judge.js';
import {
  type BootEntry,
  type BootMenu,
  defaultEntry,
  EFI_BOOT_DIR,
  renderBiosConfig,
  renderEfiConfig,
} from '../../../shared/boot-menu.js';
import { readBootMenu } from '../../../shared/boot-menu-read.js';
import {
  type LoaderOptions,
  loaderKernelOptions,
  parseLoaderOptions,
} from '../../../shared/loader-config.js';
import {
  bootMenuFromSettings,
  parseSyslinuxConfig,
  syslinuxLabels,
} from '../../../shared/syslinux-config.js';
import type { BlockDevice } from '../block/block-device.js';
import { FatError } from '../fat/fat-error.js';
import type { FatVolume } from '../fat/fat-volume.js';
import type { SyslinuxBinaries } from '../syslinux/binaries.js';
import { inspectSyslinux } from '../syslinux/inspect.js';
import { installSyslinux } from '../syslinux/install.js';
import { CARD_FILES, type LoaderAssets } from './assets.js';
import { CardError } from './card-error.js';
import { openCardVolume } from './card-volume.js';
import { removeIfPresent } from './copy-image.js';
import {
  diagnoseEfi,
  type EfiProblemCode,
  type EfiState,
  efiConfigFor,
  readEfiState,
  syncEfiConfig,
  writeEfiBoot,
} from './efi-files.js';
import { digestChunks } from './hash.js';
import { defaultLabel, infoFileFor, LOADER_SLOTS, type LoaderSlot, sameName } from './loader-files.js';
import { encodeLoaderInfo } from './prepare.js';
import { byteProgress, checkCancelled, type ProgressListener } from './progress.js';
import { runnixEntry } from './runnix-side.js';

const CONFIG_TEMP = 'syslinux.new';
const FALLBACK_LABEL = 'previous';
const MAX_CONFIG_BYTES = 64 * 1024;

export interface UpdateLoaderOptions {
  loader: LoaderAssets;
  syslinux: SyslinuxBinaries;
  /** Write the loader even when the card already has these exact files. */
  force?: boolean;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface UpdateLoaderResult {
  /** False when the card already carried this loader, byte for byte, and SYSLINUX was sound. */
  changed: boolean;
  loaderVersion: string;
  previousVersion: string | null;
  /** The files the card now boots. */
  kernel: string;
  initrd: string;
  /** The loader kept as the `previous` label, if there was one to keep. */
  fallback: { kernel: string; initrd: string } | null;
  /** What was wrong with SYSLINUX and made it be reinstalled (problem codes), empty when nothing was. */
  syslinuxRepaired: string[];
  /** What was wrong on the UEFI side and was put right (problem codes), empty when nothing was. */
  efiRepaired: EfiProblemCode[];
  /** The UEFI boot program: added, replaced with ours, or kept (ours already, or another SYSLINUX build). */
  efiProgram: 'added' | 'replaced' | 'kept';
  /** RUNNIX's labels the menu keeps (on a RUNNIX card: `runnix`, `shell`…), each as RUNNIX wrote it. */
  runnixLabels: string[];
}

export async function updateLoader(
  disk: BlockDevice,
  options: UpdateLoaderOptions,
): Promise<UpdateLoaderResult> {
  const { loader, syslinux, onProgress, signal } = options;
  const cancelled = () =>
    new CardError('cancelled', 'The loader update was cancelled; the card still boots its previous loader.');

  // Refuses foreign drives before anything is written.
  await (await openCardVolume(disk, { readOnly: true })).volume.close();
  checkCancelled(signal, cancelled);

  onProgress?.({ phase: 'bootloader', done: 0, total: 1 });
  const installed = await inspectSyslinux(disk, { knownBuilds: [syslinux] });
  const syslinuxRepaired: string[] = installed.problems.map((problem) => problem.code);
  if (syslinuxRepaired.length > 0 || !installed.bootable) {
    await installSyslinux(disk, { binaries: syslinux });
    if (syslinuxRepaired.length === 0) syslinuxRepaired.push('not-bootable');
  }
  onProgress?.({ phase: 'bootloader', done: 1, total: 1 });
  checkCancelled(signal, cancelled);

  const { volume } = await openCardVolume(disk);
  try {
    const info = await volume.volumeInfo();
    const configText = await readConfig(volume);
    const bios = configText === null ? null : readBootMenu(configText);
    // The model's entry: paths and options as SYSLINUX reads them (an initrd= in APPEND is its initrd).
    const currentEntry = bios ? defaultEntry(bios) : null;
    const current = configText === null ? null : defaultLabel(configText);
    const currentKernel = current?.kernel ?? null;
    const currentInitrd = current?.initrd ?? null;
    const currentPresent =
      currentKernel !== null &&
      currentInitrd !== null &&
      (await exists(volume, currentKernel)) &&
      (await exists(volume, currentInitrd));
    const previousVersion = currentInitrd ? await readVersion(volume, infoFileFor(currentInitrd)) : null;
    let efi = await readEfiState(volume, [syslinux.efi]);
    const efiRepaired = diagnoseEfi(efi, bios).problems;

    const loaderCurrent =
      !options.force &&
      currentPresent &&
      syslinuxRepaired.length === 0 &&
      (await sameBytes(volume, currentKernel, loader.kernel)) &&
      (await sameBytes(volume, currentInitrd, loader.initramfs)) &&
      configText !== null &&
      // A menu that reads right but that SYSLINUX would not start (no DEFAULT, NULs) is written again.
      judgeBootConfig(configText).boots &&
      parseLoaderOptions(current?.append ?? '').options.card === info.serial;
    if (loaderCurrent) {
      // The loader is this one already: at most the UEFI side is brought in step with /syslinux.cfg.
      let efiProgram: UpdateLoaderResult['efiProgram'] = 'kept';
      const efiText = bios === null ? null : efiConfigFor(bios);
      if (efiRepaired.length > 0 && efiText !== null) {
        onProgress?.({ phase: 'loader', done: 0, total: 1 });
        efiProgram = (await writeEfiBoot(volume, { binaries: syslinux.efi, configText: efiText, state: efi }))
          .program;
        onProgress?.({ phase: 'loader', done: 1, total: 1 });
      }
      return {
        changed: efiProgram !== 'kept' || (efiRepaired.length > 0 && efiText !== null),
        loaderVersion: loader.version,
        previousVersion,
        kernel: currentKernel,
        initrd: currentInitrd,
        fallback: fallbackOf(configText),
        syslinuxRepaired,
        efiRepaired: efiText === null ? [] : efiRepaired,
        efiProgram,
        runnixLabels: bios ? bios.entries.filter(isRunnixEntry).map((entry) => entry.label) : [],
      };
    }

    // The slot the card does not boot from; a card whose loader has other names gets slot A.
    const target: LoaderSlot =
      LOADER_SLOTS.find(
        (slot) => !sameName(slot.kernel, currentKernel) && !sameName(slot.initrd, currentInitrd),
      ) ?? LOADER_SLOTS[0];
    efi = await stopEfiBootingSlot(volume, efi, target, bios);
    for (const name of [target.kernel, target.initrd, target.info]) await removeIfPresent(volume, name);
    await writeVerified(volume, target.kernel, loader.kernel, onProgress, signal, cancelled);
    await writeVerified(volume, target.initrd, loader.initramfs, onProgress, signal, cancelled);
    await volume.writeFile(target.info, encodeLoaderInfo(loader));
    await volume.flush();
    checkCancelled(signal, cancelled);

    // A RUNNIX card: RUNNIX's command line (init=/runnix, runimg=…) means nothing to our loader, and our
    // options would not start RUNNIX, so RUNNIX keeps its own labels, as written, instead of `previous`.
    const fromRunnix = runnixEntry(bios)?.isDefault === true;
    const fallback =
      !fromRunnix && currentPresent && currentKernel && currentInitrd
        ? { kernel: currentKernel, initrd: currentInitrd }
        : null;
    const built = bootMenuFromSettings({
      serial: bios === null ? { port: 0, baud: 115200 } : bios.serial,
      timeout: bios === null ? 0 : bios.timeout,
      kernel: target.kernel,
      initrd: target.initrd,
      append: fromRunnix
        ? runnixConsoles(currentEntry?.append ?? '')
        : currentEntry?.append || loaderKernelOptions(),
      // Every astlinux.* option is carried over; the volume's serial is what the loader looks for, so it
      // is set right even on a card that was reformatted or made by other tools.
      options: { ...carriedOptions(fromRunnix ? '' : (currentEntry?.append ?? '')), card: info.serial },
      fallback: fallback ? { label: FALLBACK_LABEL, ...fallback } : null,
    });
    const runnixLabels = await runnixEntries(volume, bios, built);
    const menu: BootMenu = { ...built, entries: [...built.entries, ...runnixLabels] };
    onProgress?.({ phase: 'loader', done: 0, total: 1 });
    const efiWritten = await writeEfiBoot(volume, {
      binaries: syslinux.efi,
      configText: renderEfiConfig(menu),
      state: efi,
      force: options.force ?? false,
    });
    await removeIfPresent(volume, CONFIG_TEMP);
    await volume.writeFile(CONFIG_TEMP, new TextEncoder().encode(renderBiosConfig(menu)));
    await volume.flush();
    await volume.rename(CONFIG_TEMP, CARD_FILES.config, { replace: true });
    await volume.flush();
    onProgress?.({ phase: 'loader', done: 1, total: 1 });
    return {
      changed: true,
      loaderVersion: loader.version,
      previousVersion,
      kernel: target.kernel,
      initrd: target.initrd,
      fallback,
      syslinuxRepaired,
      efiRepaired,
      efiProgram: efiWritten.program,
      runnixLabels: runnixLabels.map((entry) => entry.label),
    };
  } finally {
    await volume.close();
  }
}

async function writeVerified(
  volume: FatVolume,
  name: string,
  data: Uint8Array,
  onProgress: ProgressListener | undefined,
  signal: AbortSignal | undefined,
  cancelled: () => CardError,
): Promise<void> {
  checkCancelled(signal, cancelled);
  onProgress?.({ phase: 'loader', item: name, done: 0, total: data.length });
  await volume.writeFile(name, data);
  await volume.flush();
  const wanted = createHash('sha1').update(data).digest('hex');
  const readBack = await digestChunks(
    volume.chunks(name),
    'sha1',
    byteProgress(onProgress, 'verify', data.length, name),
  );
  if (readBack.digest !== wanted || readBack.bytes !== data.length) {
    throw new CardError(
      'verify-failed',
      `The new loader file ${name} reads back differently: the card may be failing. The card still boots its previous loader; try another card.`,
      { detail: `wrote ${wanted}, read back ${readBack.digest}` },
    );
  }
}

async function readConfig(volume: FatVolume): Promise<string | null> {
  try {
    const entry = await volume.stat(CARD_FILES.config);
    if (entry.size > MAX_CONFIG_BYTES) return null;
    return new TextDecoder().decode(await volume.readFile(CARD_FILES.config));
  } catch (error) {
    if (error instanceof FatError && error.code === 'not-found') return null;
    throw error;
  }
}

async function exists(volume: FatVolume, name: string): Promise<boolean> {
  try {
    return (await volume.stat(name)).isFile;
  } catch (error) {
    if (error instanceof FatError && error.code === 'not-found') return false;
    throw error;
  }
}

async function sameBytes(volume: FatVolume, name: string | null, data: Uint8Array): Promise<boolean> {
  if (name === null) return false;
  if ((await volume.stat(name)).size !== data.length) return false;
  const onCard = await digestChunks(volume.chunks(name), 'sha1');
  return onCard.digest === createHash('sha1').update(data).digest('hex');
}

async function readVersion(volume: FatVolume, name: string): Promise<string | null> {
  try {
    const info = JSON.parse(new TextDecoder().decode(await volume.readFile(name))) as { version?: unknown };
    return typeof info.version === 'string' ? info.version : null;
  } catch {
    return null;
  }
}

/** The consoles RUNNIX was told to use, for our loader too; the usual ones when it was told none. */
function runnixConsoles(append: string): string {
  const consoles = append.split(/\s+/).filter((word) => /^console=/i.test(word));
  return loaderKernelOptions(consoles.length > 0 ? consoles : undefined);
}

function isRunnixEntry(entry: BootEntry): boolean {
  return /^x?runnix$/i.test(entry.kernel);
}

/**
 * The current menu's RUNNIX labels whose kernel and initrd are on the card, kept as they are (the first
 * update of a RUNNIX card, and every later one): RUNNIX stays a label to choose.
 */
async function runnixEntries(volume: FatVolume, bios: BootMenu | null, menu: BootMenu): Promise<BootEntry[]> {
  const kept: BootEntry[] = [];
  const taken = (label: string) =>
    menu.entries.concat(kept).some((entry) => entry.label.toLowerCase() === label.toLowerCase());
  for (const entry of bios?.entries ?? []) {
    if (!isRunnixEntry(entry) || taken(entry.label) || !(await exists(volume, entry.kernel))) continue;
    const initrds = entry.initrd?.split(',') ?? [];
    let whole = true;
    for (const initrd of initrds) if (!(await exists(volume, initrd))) whole = false;
    if (whole) kept.push(entry);
  }
  return kept;
}

function carriedOptions(append: string): Partial<LoaderOptions> {
  // Consoles stay as written in the APPEND; passing them here would reorder them.
  const { console: _consoles, ...options } = parseLoaderOptions(append).options;
  return options;
}

function fallbackOf(configText: string): { kernel: string; initrd: string } | null {
  const label = syslinuxLabels(parseSyslinuxConfig(configText)).find(
    (entry) => entry.name.toLowerCase() === FALLBACK_LABEL,
  );
  return label?.kernel && label.initrd ? { kernel: label.kernel, initrd: label.initrd } : null;
}

/**
 * An EFI config whose default label boots the slot about to be overwritten (left by a cut between the two
 * config switches) is first rendered again from /syslinux.cfg (or removed, so syslinux.efi reads that one):
 * UEFI keeps booting a whole loader while the slot is rewritten.
 */
async function stopEfiBootingSlot(
  volume: FatVolume,
  efi: EfiState,
  slot: LoaderSlot,
  bios: BootMenu | null,
): Promise<EfiState> {
  const efiMenu = efi.configText === null ? null : readBootMenu(efi.configText, EFI_BOOT_DIR);
  const entry = efiMenu ? defaultEntry(efiMenu) : null;
  const initrds = entry?.initrd?.split(',') ?? [];
  if (!entry || !(sameName(entry.kernel, slot.kernel) || initrds.some((name) => sameName(name, slot.initrd))))
    return efi;
  return syncEfiConfig(volume, efi, bios);
}
