/**
 * A card's RUNNIX, when it has one: the loader real AstLinux cards ship with (`runnix` + `runnix.img` at the
 * root, `ver`, a previous `Xrunnix`, and `os/ver` / `os/Xver` saying which release it boots). What RUNNIX
 * would boot is predicted by RUNNIX's rules (shared/runnix-rules.ts), not by astcard's loader's.
 */
import type { BootEntry, BootMenu } from '../../../shared/boot-menu.js';
import { predictRunnixBoot, type RunnixPrediction } from '../../../shared/runnix-rules.js';
import type { FatStat, FatVolume } from '../fat/fat-volume.js';
import { type CardListing, OS_FOLDER, readSmallText } from './card-listing.js';

/** RUNNIX's kernel, as RUNNIX's own syslinux.cfg names it. */
export const RUNNIX_KERNEL = 'runnix';

export interface RunnixReport {
  /** RUNNIX is what the card starts (its default label); false: it is only a label to choose. */
  isDefault: boolean;
  /** The label that starts it. */
  label: string;
  /** RUNNIX's version, from the card's `ver` (`runnix-0.6.26`); null when there is none. */
  version: string | null;
  /** The previous RUNNIX (`Xrunnix`) is on the card, to fall back to. */
  previous: boolean;
  /** os/ver and os/Xver: what RUNNIX boots, and what AstLinux's revert would switch back to. */
  ver: string | null;
  xver: string | null;
  prediction: RunnixPrediction;
}

/** The menu entry that starts RUNNIX: its default label when it is one, else the first. */
export function runnixEntry(menu: BootMenu | null): { entry: BootEntry; isDefault: boolean } | null {
  if (!menu) return null;
  const isRunnix = (entry: BootEntry) => entry.kernel.toLowerCase() === RUNNIX_KERNEL;
  const booted = menu.entries.find((entry) => entry.label.toLowerCase() === menu.defaultLabel.toLowerCase());
  if (booted && isRunnix(booted)) return { entry: booted, isDefault: true };
  const other = menu.entries.find(isRunnix);
  return other ? { entry: other, isDefault: false } : null;
}

/**
 * RUNNIX's side of a card; null when no label starts RUNNIX or its kernel is not there. `sha1s` are the
 * `.run` files' SHA-1s where they were computed (by name as the boot plan lists them, `os/<name>`).
 */
export async function readRunnixSide(
  volume: FatVolume,
  listing: CardListing,
  menu: BootMenu | null,
  sha1s: { [name: string]: string },
): Promise<RunnixReport | null> {
  const found = runnixEntry(menu);
  if (!found || !has(listing.root, RUNNIX_KERNEL)) return null;
  const os = listing.os ?? [];
  const text = async (entries: FatStat[], folder: string, name: string) => {
    const entry = entries.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    return entry ? readSmallText(volume, `${folder}${entry.name}`, entry.size) : null;
  };
  const firstLine = (value: string | null) => {
    const line = value?.split(/\r?\n/)[0]?.trim() ?? '';
    return line === '' ? null : line;
  };
  const verText = await text(os, `${OS_FOLDER}/`, 'ver');
  const bare = (table: { [name: string]: string }) => {
    const out: { [name: string]: string } = {};
    for (const [name, value] of Object.entries(table))
      if (name.toLowerCase().startsWith(`${OS_FOLDER}/`)) out[name.slice(OS_FOLDER.length + 1)] = value;
    return out;
  };
  const prediction = predictRunnixBoot({
    osFiles: os.map((entry) => entry.name),
    rootFiles: listing.root.map((entry) => entry.name),
    ver: verText,
    defaultConf: await text(os, `${OS_FOLDER}/`, 'default.conf'),
    cmdline: found.entry.append,
    sidecars: bare(listing.sidecars),
    runConfs: bare(listing.runConfs),
    digests: bare(sha1s),
  });
  return {
    isDefault: found.isDefault,
    label: found.entry.label,
    version: firstLine(await text(listing.root, '', 'ver')),
    previous: has(listing.root, `X${RUNNIX_KERNEL}`),
    ver: firstLine(verText),
    xver: firstLine(await text(os, `${OS_FOLDER}/`, 'Xver')),
    prediction,
  };
}

function has(entries: FatStat[], name: string): boolean {
  return entries.some((entry) => entry.name.toLowerCase() === name.toLowerCase());
}
