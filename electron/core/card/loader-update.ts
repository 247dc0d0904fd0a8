/**
 * Loader update: puts this app's loader on a card without ever leaving it unbootable.
 *
 *   1. SYSLINUX is reinstalled first when it is missing, damaged or another build than ours — the files it
 *      reads are not touched by that, so the current configuration keeps booting;
 *   2. the new kernel and initramfs go into the loader slot the card is not booting from (the previous
 *      fallback is deleted to make room), are flushed, read back and compared;
 *   3. `syslinux.cfg` is written whole under a temporary name and renamed over the old one: that rename is
 *      the switch. The loader that was booting stays on the card as the `previous` label, and the
 *      `astlinux.*` options, the consoles and the serial line are carried over.
 *
 * A cut before step 3 leaves the old configuration booting the old loader; after it, the new one.
 */
import { createHash } from 'node:crypto';
import { type LoaderOptions, parseLoaderOptions } from '../../../shared/loader-config.js';
import {
  generateSyslinuxConfig,
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
import { digestChunks } from './hash.js';
import { defaultLabel, infoFileFor, LOADER_SLOTS, type LoaderSlot, sameName } from './loader-files.js';
import { encodeLoaderInfo } from './prepare.js';
import { byteProgress, checkCancelled, type ProgressListener } from './progress.js';

const CONFIG_TEMP = 'syslinux.new';
const DEFAULT_CONSOLES = 'console=ttyS0,115200 console=tty0 panic=10';
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
    const current = configText === null ? null : defaultLabel(configText);
    const currentKernel = current?.kernel ?? null;
    const currentInitrd = current?.initrd ?? null;
    const currentPresent =
      currentKernel !== null &&
      currentInitrd !== null &&
      (await exists(volume, currentKernel)) &&
      (await exists(volume, currentInitrd));
    const previousVersion = currentInitrd ? await readVersion(volume, infoFileFor(currentInitrd)) : null;

    if (
      !options.force &&
      currentPresent &&
      syslinuxRepaired.length === 0 &&
      (await sameBytes(volume, currentKernel, loader.kernel)) &&
      (await sameBytes(volume, currentInitrd, loader.initramfs)) &&
      configText !== null &&
      parseLoaderOptions(current?.append ?? '').options.card === info.serial
    ) {
      return {
        changed: false,
        loaderVersion: loader.version,
        previousVersion,
        kernel: currentKernel,
        initrd: currentInitrd,
        fallback: fallbackOf(configText),
        syslinuxRepaired,
      };
    }

    // The slot the card does not boot from; a card whose loader has other names gets slot A.
    const target: LoaderSlot =
      LOADER_SLOTS.find(
        (slot) => !sameName(slot.kernel, currentKernel) && !sameName(slot.initrd, currentInitrd),
      ) ?? LOADER_SLOTS[0];
    for (const name of [target.kernel, target.initrd, target.info]) await removeIfPresent(volume, name);
    await writeVerified(volume, target.kernel, loader.kernel, onProgress, signal, cancelled);
    await writeVerified(volume, target.initrd, loader.initramfs, onProgress, signal, cancelled);
    await volume.writeFile(target.info, encodeLoaderInfo(loader));
    await volume.flush();
    checkCancelled(signal, cancelled);

    const fallback =
      currentPresent && currentKernel && currentInitrd
        ? { kernel: currentKernel, initrd: currentInitrd }
        : null;
    const config = generateSyslinuxConfig({
      serial: configText === null ? { port: 0, baud: 115200 } : serialOf(configText),
      timeout: configText === null ? 0 : timeoutOf(configText),
      kernel: target.kernel,
      initrd: target.initrd,
      append: current?.append || DEFAULT_CONSOLES,
      // Every astlinux.* option is carried over; the volume's serial is what the loader looks for, so it
      // is set right even on a card that was reformatted or made by other tools.
      options: { ...carriedOptions(current?.append ?? ''), card: info.serial },
      fallback: fallback ? { label: FALLBACK_LABEL, ...fallback } : null,
    });
    onProgress?.({ phase: 'loader', done: 0, total: 1 });
    await removeIfPresent(volume, CONFIG_TEMP);
    await volume.writeFile(CONFIG_TEMP, new TextEncoder().encode(config));
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

function carriedOptions(append: string): Partial<LoaderOptions> {
  // Consoles stay as written in the APPEND; passing them here would reorder them.
  const { console: _consoles, ...options } = parseLoaderOptions(append).options;
  return options;
}

function serialOf(configText: string): { port: number; baud: number } | null {
  for (const line of parseSyslinuxConfig(configText).lines) {
    if (line.keyword !== 'SERIAL') continue;
    const [port, baud] = line.argument.split(/\s+/).map(Number);
    if (Number.isInteger(port))
      return { port: port as number, baud: Number.isInteger(baud) ? (baud as number) : 9600 };
  }
  return null;
}

function timeoutOf(configText: string): number {
  for (const line of parseSyslinuxConfig(configText).lines) {
    if (line.keyword === 'TIMEOUT') {
      const value = Number(line.argument);
      if (Number.isInteger(value) && value >= 0) return value;
    }
  }
  return 0;
}

function fallbackOf(configText: string): { kernel: string; initrd: string } | null {
  const label = syslinuxLabels(parseSyslinuxConfig(configText)).find(
    (entry) => entry.name.toLowerCase() === FALLBACK_LABEL,
  );
  return label?.kernel && label.initrd ? { kernel: label.kernel, initrd: label.initrd } : null;
}
