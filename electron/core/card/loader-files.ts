/**
 * Where the loader lives on a card. Prepare puts it in slot A (`bzImage`, `loader.img`); an update writes
 * the new loader into the other slot, switches `syslinux.cfg` to it and keeps the one it replaces as the
 * fallback label, so a card always holds a loader that booted before.
 */
import {
  parseSyslinuxConfig,
  type SyslinuxConfig,
  syslinuxDefault,
  syslinuxLabels,
} from '../../../shared/syslinux-config.js';
import { CARD_FILES } from './assets.js';

export interface LoaderSlot {
  kernel: string;
  initrd: string;
  /** The JSON that tells `inspect` the loader's version without unpacking the initramfs. */
  info: string;
}

export const LOADER_SLOTS: readonly [LoaderSlot, LoaderSlot] = [
  { kernel: CARD_FILES.kernel, initrd: CARD_FILES.initramfs, info: CARD_FILES.loaderInfo },
  { kernel: 'bzImage-b', initrd: 'loader-b.img', info: 'loader-b.json' },
];

/** The info file written beside an initramfs: `loader.img` → `loader.json`. */
export function infoFileFor(initrd: string): string {
  return /\.img$/i.test(initrd) ? initrd.replace(/\.img$/i, '.json') : `${initrd}.json`;
}

export interface BootedLabel {
  name: string;
  kernel: string | null;
  initrd: string | null;
  append: string;
}

/** The label SYSLINUX boots by default (its DEFAULT, else the first), where the `astlinux.*` options live. */
export function defaultLabel(config: SyslinuxConfig | string): BootedLabel | null {
  const parsed = typeof config === 'string' ? parseSyslinuxConfig(config) : config;
  const wanted = (syslinuxDefault(parsed) ?? '').toLowerCase();
  const labels = syslinuxLabels(parsed);
  const label = labels.find((entry) => entry.name.toLowerCase() === wanted) ?? labels[0];
  if (!label) return null;
  return {
    name: label.name,
    kernel: stripPath(label.kernel),
    initrd: stripPath(label.initrd),
    append: label.append ?? '',
  };
}

/** SYSLINUX paths are relative to the config's folder (the root here) or absolute: `/bzImage` is `bzImage`. */
function stripPath(path: string | null): string | null {
  if (path === null) return null;
  const first = path.split(',')[0]?.trim() ?? '';
  return first.replace(/^\/+/, '') || null;
}

export function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  return (
    a !== null && a !== undefined && b !== null && b !== undefined && a.toLowerCase() === b.toLowerCase()
  );
}
