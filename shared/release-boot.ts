/**
 * How to start a real AstLinux release from the card's `os/` folder, read from its `.run.conf` the way
 * RUNNIX reads it, so that AstLinux's own initrd finds its card and image exactly as under RUNNIX:
 *
 * - the kernel command line is `KCMD`, unchanged (AstLinux's tools read it back: a `console=` we added
 *   would make its upgrade tool look for the `-serial` board's releases);
 * - the image is mounted read-only as `FSTYPE` (RUNNIX's default: ext4) from byte `OFFSET` (default 0);
 * - the kernel is `KERN` when it names a file in the image (`/mnt/root/…`, RUNNIX's mount point) or on
 *   the card (`/mnt/base/…`), else `/boot/bzImage` in the image, as RUNNIX falls back;
 * - the initrd is `INITRD` when it names a file on the card (`/mnt/base/…`), else `os/initrd.img`, as
 *   RUNNIX falls back; one of them must be on the card.
 *
 * Refused, with a reason: no `.run.conf`, no `KCMD`, a `KCMD` whose `astimg=` does not name this
 * release's `.run` (AstLinux's initrd would then mount an image nobody verified), `INITRAMFS=yes`
 * (a release that is itself a kernel), an `FSTYPE` or `OFFSET` the loader cannot use, no initrd.
 */
import { hasControlCharacter } from './kernel-cmdline.js';
import { parseRunConf, runConfValue } from './run-conf.js';

/** RUNNIX mounts the card here… */
export const RUNNIX_BASE = '/mnt/base';
/** …and the release's image here; `.run.conf` paths are written against these two. */
export const RUNNIX_ROOT = '/mnt/root';

export type ReleaseFilesystem = 'squashfs' | 'ext2' | 'ext3' | 'ext4';

const FILESYSTEMS: readonly ReleaseFilesystem[] = ['squashfs', 'ext2', 'ext3', 'ext4'];
const MAX_OFFSET_DIGITS = 15;

export interface ReleaseRecipe {
  /** `astlinux-1.5.10` */
  readonly release: string;
  readonly kcmd: string;
  readonly fstype: ReleaseFilesystem;
  /** Bytes into the `.run` where the filesystem starts. */
  readonly offset: number;
  /** Relative to the mounted image or to the card's root; never starts with `/`, never holds `..`. */
  readonly kernel: { readonly where: 'image' | 'card'; readonly path: string };
  /** Relative to the card's root: `os/astlinux-1.5.10.initrd.img`. */
  readonly initrd: string;
  /** Plain sentences: settings lines left out, fallbacks taken. */
  readonly notes: readonly string[];
}

export type ReleaseRecipeResult = { ok: true; recipe: ReleaseRecipe } | { ok: false; reason: string };

export interface ReleaseRecipeInput {
  readonly release: string;
  /** The `.run.conf` text; null when it is not on the card or could not be read. */
  readonly conf: string | null;
  /** Whether the `.run.conf` is on the card (null `conf` then means it could not be read). */
  readonly confListed: boolean;
  /** Every file on the card: root names, and `os/<name>` for the os folder. */
  readonly cardFiles: readonly string[];
}

function hasFile(cardFiles: readonly string[], path: string): boolean {
  const wanted = path.toLowerCase();
  for (const name of cardFiles) if (name.toLowerCase() === wanted) return true;
  return false;
}

/** `/mnt/base/os/x` → card `os/x`; `/mnt/root/boot/x` → image `boot/x`; null for anything else. */
export function runnixPath(path: string): { where: 'image' | 'card'; path: string } | null {
  const clean = path.replace(/\/+/g, '/');
  const prefixes: { prefix: string; where: 'image' | 'card' }[] = [
    { prefix: `${RUNNIX_BASE}/`, where: 'card' },
    { prefix: `${RUNNIX_ROOT}/`, where: 'image' },
  ];
  for (const { prefix, where } of prefixes) {
    if (clean.slice(0, prefix.length) !== prefix) continue;
    const rest = clean.slice(prefix.length);
    const steps = rest.split('/');
    for (const step of steps) if (step === '' || step === '.' || step === '..') return null;
    if (hasControlCharacter(rest) || /\s/.test(rest)) return null;
    return { where, path: rest };
  }
  return null;
}

/** The last `astimg=` of a command line split as AstLinux's initrd splits it (on blanks), or null. */
export function astimgOf(kcmd: string): string | null {
  let found: string | null = null;
  for (const word of kcmd.split(/\s+/)) if (word.slice(0, 7) === 'astimg=') found = word.slice(7);
  return found;
}

function chooseKernel(kern: string | null, cardFiles: readonly string[], notes: string[]) {
  const fallback = { where: 'image' as const, path: 'boot/bzImage' };
  if (kern === null || kern === '') return fallback;
  const mapped = runnixPath(kern);
  if (mapped && (mapped.where === 'image' || hasFile(cardFiles, mapped.path))) return mapped;
  notes.push(
    `KERN=${kern} is neither in the image nor on the card; using /boot/bzImage in the image, as RUNNIX does`,
  );
  return fallback;
}

function chooseInitrd(initrd: string | null, cardFiles: readonly string[], notes: string[]) {
  const fallback = 'os/initrd.img';
  if (initrd === null || initrd === '') {
    return { path: fallback, missing: `no initrd: INITRD is not set and there is no ${fallback}` };
  }
  const mapped = runnixPath(initrd);
  if (mapped && mapped.where === 'card' && hasFile(cardFiles, mapped.path))
    return { path: mapped.path, missing: '' };
  notes.push(`INITRD=${initrd} is not on the card; using os/initrd.img, as RUNNIX does`);
  const named = mapped && mapped.where === 'card' ? mapped.path : initrd;
  return { path: fallback, missing: `no initrd: neither ${named} (INITRD) nor ${fallback} is on the card` };
}

/** Reads a release's `.run.conf` into what the loader needs to start it, or the reason it cannot. */
export function releaseRecipe(input: ReleaseRecipeInput): ReleaseRecipeResult {
  const { release, conf, cardFiles } = input;
  const confName = `${release}.run.conf`;
  if (conf === null) {
    const reason = input.confListed ? `${confName} cannot be read` : `no ${confName} beside it`;
    return { ok: false, reason };
  }
  const parsed = parseRunConf(conf, { BASE: RUNNIX_BASE, ROOT: RUNNIX_ROOT, RUNIMG: `${release}.run` });
  const notes: string[] = [];
  for (const problem of parsed.problems) notes.push(`${confName}: ${problem}`);
  if (runConfValue(parsed, 'INITRAMFS') === 'yes') {
    return {
      ok: false,
      reason: `${confName} says INITRAMFS=yes (the release is itself a kernel), which only RUNNIX starts`,
    };
  }
  const kcmd = (runConfValue(parsed, 'KCMD') ?? '').replace(/^\s+|\s+$/g, '');
  if (kcmd === '') return { ok: false, reason: `${confName} sets no KCMD (the kernel command line)` };
  if (hasControlCharacter(kcmd)) return { ok: false, reason: `${confName}: KCMD holds control characters` };
  const astimg = astimgOf(kcmd);
  if (astimg === null) {
    return {
      ok: false,
      reason: `${confName}: KCMD has no astimg=, so AstLinux's initrd would not know its image`,
    };
  }
  if (astimg.toLowerCase() !== `${release}.run`.toLowerCase()) {
    return { ok: false, reason: `${confName}: KCMD says astimg=${astimg}, not ${release}.run` };
  }
  const fstypeText = runConfValue(parsed, 'FSTYPE');
  const fstype = fstypeText === null || fstypeText === '' ? 'ext4' : fstypeText;
  let known: ReleaseFilesystem | null = null;
  for (const name of FILESYSTEMS) if (name === fstype) known = name;
  if (known === null) {
    return { ok: false, reason: `${confName}: FSTYPE=${fstype} is not squashfs, ext2, ext3 or ext4` };
  }
  const offsetText = runConfValue(parsed, 'OFFSET') ?? '';
  if (offsetText !== '' && (!/^[0-9]+$/.test(offsetText) || offsetText.length > MAX_OFFSET_DIGITS)) {
    return { ok: false, reason: `${confName}: OFFSET=${offsetText} is not a number of bytes` };
  }
  const kernel = chooseKernel(runConfValue(parsed, 'KERN'), cardFiles, notes);
  const initrd = chooseInitrd(runConfValue(parsed, 'INITRD'), cardFiles, notes);
  if (!hasFile(cardFiles, initrd.path)) {
    return { ok: false, reason: initrd.missing };
  }
  const offset = offsetText === '' ? 0 : parseInt(offsetText, 10);
  return { ok: true, recipe: { release, kcmd, fstype: known, offset, kernel, initrd: initrd.path, notes } };
}
