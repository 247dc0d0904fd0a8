/**
 * What the boot plan needs from a card, read the way the loader reads it: every file in the root and in
 * `os/` (as `os/<name>`), the checksum files and `.run.conf`s among them, and the signed lists. The
 * loader's listing is `stat` of the same two folders (loader/init), so both plan over the same names.
 */
import type { CardFile } from '../../../shared/boot-plan.js';
import { sidecarAlgorithm } from '../../../shared/checksums.js';
import { isSignedListName } from '../../../shared/signed-list-name.js';
import { FatError } from '../fat/fat-error.js';
import type { FatStat, FatVolume } from '../fat/fat-volume.js';

/** Where real AstLinux releases live on a card, and where AstLinux's initrd looks for them. */
export const OS_FOLDER = 'os';

/** The loader reads no sidecar or .run.conf larger than this (loader/plan/plan-cli.ts); neither do we. */
const MAX_SMALL_FILE = 64 * 1024;

export interface CardListing {
  root: FatStat[];
  /** Files in os/; null when the card has no os folder. */
  os: FatStat[] | null;
  /** Root files by name, os/ files as `os/<name>`: the boot plan's listing. */
  files: CardFile[];
  sidecars: { [name: string]: string };
  runConfs: { [name: string]: string };
  /** Signed lists in the root and in os/, by their listed name. */
  signedLists: Array<{ name: string; text: string }>;
}

export async function readCardListing(volume: FatVolume): Promise<CardListing> {
  const root = (await volume.readdir('/')).filter((entry) => entry.isFile);
  const os = await readFolder(volume, OS_FOLDER);
  const listed = root
    .map((entry) => ({ entry, name: entry.name }))
    .concat((os ?? []).map((entry) => ({ entry, name: `${OS_FOLDER}/${entry.name}` })));
  const listing: CardListing = {
    root,
    os,
    files: listed.map(({ entry, name }) => ({ name, size: entry.size })),
    sidecars: {},
    runConfs: {},
    signedLists: [],
  };
  for (const { entry, name } of listed) {
    const isSidecar = sidecarAlgorithm(entry.name) !== null && /^astlinux-/i.test(entry.name);
    const isRunConf = name !== entry.name && /^astlinux-.*\.run\.conf$/i.test(entry.name);
    const isList = isSignedListName(entry.name);
    if (!isSidecar && !isRunConf && !isList) continue;
    const text = await readSmallText(volume, name, entry.size);
    if (text === null) continue;
    if (isSidecar) listing.sidecars[name] = text;
    else if (isRunConf) listing.runConfs[name] = text;
    else listing.signedLists.push({ name, text });
  }
  return listing;
}

/** The files of a folder at the root; null when there is no such folder. */
export async function readFolder(volume: FatVolume, folder: string): Promise<FatStat[] | null> {
  try {
    return (await volume.readdir(`/${folder}`)).filter((entry) => entry.isFile);
  } catch (error) {
    if (error instanceof FatError && (error.code === 'not-found' || error.code === 'not-a-directory'))
      return null;
    throw error;
  }
}

/** A small text file, or null when it is too large to be what it claims or cannot be read. */
export async function readSmallText(
  volume: FatVolume,
  path: string,
  size: number,
  limit = MAX_SMALL_FILE,
): Promise<string | null> {
  if (size > limit) return null;
  try {
    return new TextDecoder().decode(await volume.readFile(`/${path}`));
  } catch (error) {
    if (error instanceof FatError) return null;
    throw error;
  }
}
