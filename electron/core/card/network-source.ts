/**
 * A card's network boot sources: the `astlinux.source=` option on the APPEND line of the label the card
 * boots, and the static address (`astlinux.ip=`) the loader uses to reach them instead of DHCP. Every
 * other option, console and label is kept as written. The UEFI menu (EFI/BOOT/syslinux.cfg) is rendered
 * again from the edited /syslinux.cfg first (efi-files.ts); then /syslinux.cfg is written whole under a
 * temporary name and renamed over the old one, so a cut leaves either the old or the new configuration on
 * each side, and at worst UEFI already on the new sources while BIOS is still on the old ones.
 */
import { readBootMenu } from '../../../shared/boot-menu-read.js';
import { type LoaderOptions, parseLoaderOptions } from '../../../shared/loader-config.js';
import { formatSourceList, parseSourceList } from '../../../shared/remote-source.js';
import { formatStaticAddress, parseStaticAddress } from '../../../shared/static-address.js';
import {
  formatSyslinuxConfig,
  parseSyslinuxConfig,
  setLabelLoaderOptions,
} from '../../../shared/syslinux-config.js';
import type { BlockDevice } from '../block/block-device.js';
import { FatError } from '../fat/fat-error.js';
import type { FatVolume } from '../fat/fat-volume.js';
import { CARD_FILES } from './assets.js';
import { CardError } from './card-error.js';
import { openCardVolume } from './card-volume.js';
import { readEfiState, syncEfiConfig } from './efi-files.js';
import { defaultLabel } from './loader-files.js';

const CONFIG_TEMP = 'syslinux.src';
const MAX_CONFIG_BYTES = 64 * 1024;

export interface CardSources {
  /** Source folders, normalised, in the order the loader tries them. */
  urls: string[];
  /** Whether the card's own images are the last resort (`card=no` turns that off). */
  cardFallback: boolean;
  /** The static address `a.b.c.d/prefix[,gateway[,dns]]` the loader sets; null asks DHCP. */
  ip: string | null;
}

export interface SetSourcesOptions {
  /** The card's own images as the last resort; true unless said otherwise. */
  cardFallback?: boolean;
  /**
   * A static address, null for DHCP, or left out to keep what the card has. Clearing every source clears
   * the address too: without a source the loader never touches the network.
   */
  ip?: string | null;
}

/** What the card's booting label asks for now. */
export async function readCardSources(disk: BlockDevice): Promise<CardSources> {
  const { volume } = await openCardVolume(disk, { readOnly: true });
  return sourcesOf(await loaderOptions(volume));
}

/**
 * Sets (or, with no urls, clears) the card's sources. Addresses are checked before anything is written:
 * a typo is refused here rather than found at boot.
 */
export async function setCardSources(
  disk: BlockDevice,
  urls: readonly string[],
  options: SetSourcesOptions = {},
): Promise<CardSources> {
  const cardFallback = options.cardFallback ?? true;
  if (urls.length === 0 && !cardFallback) {
    throw new CardError('invalid-option', 'Without any network source the card must boot its own images.');
  }
  let value: string;
  try {
    value = urls.length === 0 ? '' : formatSourceList(urls, cardFallback ? 'last' : 'no');
  } catch (error) {
    throw new CardError('invalid-option', `${(error as Error).message}.`, { cause: error });
  }
  let ip: string | null | undefined = options.ip;
  if (ip !== undefined && ip !== null) {
    const parsed = parseStaticAddress(ip.trim());
    if (!parsed.ok)
      throw new CardError('invalid-option', `The address ${ip}: ${parsed.reason}.`, { detail: ip });
    ip = formatStaticAddress(parsed.address);
  }
  if (urls.length === 0) ip = null;
  const { volume } = await openCardVolume(disk);
  const text = await readConfig(volume);
  const config = parseSyslinuxConfig(text);
  const label = defaultLabel(config);
  if (!label)
    throw new CardError(
      'loader-update-failed',
      'The card’s syslinux.cfg has no boot entry; prepare it again.',
    );
  const current = parseLoaderOptions(label.append).options;
  // console= is left out so the consoles keep their place and spelling: only astlinux.* is rewritten, and
  // every astlinux.* option other than these two (pin, wait, debug…) is carried over as the card had it.
  const { console: _consoles, ...others } = current;
  const wanted: Partial<LoaderOptions> = {
    ...others,
    sources: value === '' ? [] : value.split(','),
    ip: ip === undefined ? current.ip : ip,
  };
  const updated = formatSyslinuxConfig(setLabelLoaderOptions(config, label.name, wanted));
  await syncEfiConfig(volume, await readEfiState(volume), readBootMenu(updated));
  await volume.writeFile(CONFIG_TEMP, new TextEncoder().encode(updated));
  await volume.rename(CONFIG_TEMP, CARD_FILES.config, { replace: true });
  return sourcesOf({ ...current, sources: wanted.sources ?? [], ip: wanted.ip ?? null });
}

async function loaderOptions(volume: FatVolume): Promise<LoaderOptions> {
  const label = defaultLabel(await readConfig(volume));
  if (!label)
    throw new CardError(
      'loader-update-failed',
      'The card’s syslinux.cfg has no boot entry; prepare it again.',
    );
  return parseLoaderOptions(label.append).options;
}

function sourcesOf(options: LoaderOptions): CardSources {
  if (options.sources.length === 0) return { urls: [], cardFallback: true, ip: options.ip };
  const list = parseSourceList(options.sources.join(','));
  if (!list.ok) return { urls: options.sources.slice(), cardFallback: true, ip: options.ip };
  const urls: string[] = [];
  for (const entry of list.entries) if (entry.kind === 'remote') urls.push(entry.source.url);
  return { urls, cardFallback: list.cardAllowed, ip: options.ip };
}

async function readConfig(volume: FatVolume): Promise<string> {
  try {
    const entry = await volume.stat(CARD_FILES.config);
    if (entry.size <= MAX_CONFIG_BYTES)
      return new TextDecoder().decode(await volume.readFile(CARD_FILES.config));
  } catch (error) {
    if (!(error instanceof FatError && error.code === 'not-found')) throw error;
  }
  throw new CardError(
    'not-a-card',
    'This card has no usable syslinux.cfg: prepare it (or update its loader) first.',
  );
}
