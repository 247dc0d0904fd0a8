/**
 * The keys a card trusts for signed images: signify public keys in the card's `keys/` folder, one file
 * each (`keys/<name>.pub`), read by the loader before it boots anything. Adding writes a whole new file
 * (data, chain, entry — fat-volume.ts's order), so a cut leaves the key there or not, never half of it.
 */
import { parsePublicKey } from '../../../shared/signify.js';
import type { BlockDevice } from '../block/block-device.js';
import { FatError } from '../fat/fat-error.js';
import type { FatVolume } from '../fat/fat-volume.js';
import { CardError } from './card-error.js';
import { openCardVolume } from './card-volume.js';

export const KEYS_FOLDER = 'keys';
/** A key file is two short lines; anything far larger is not one. */
const MAX_KEY_FILE = 4096;

export type KeyOnCard =
  | { file: string; ok: true; keyNumber: string; comment: string }
  | { file: string; ok: false; problem: string };

export async function listCardKeys(disk: BlockDevice): Promise<KeyOnCard[]> {
  const { volume } = await openCardVolume(disk, { readOnly: true });
  try {
    return await readKeys(volume);
  } finally {
    await volume.close();
  }
}

/** The key files in keys/, each read and judged; an empty list when the card has no keys folder. */
export async function readKeys(volume: FatVolume): Promise<KeyOnCard[]> {
  let entries: Awaited<ReturnType<FatVolume['readdir']>>;
  try {
    entries = await volume.readdir(`/${KEYS_FOLDER}`);
  } catch (error) {
    if (error instanceof FatError && (error.code === 'not-found' || error.code === 'not-a-directory'))
      return [];
    throw error;
  }
  const keys: KeyOnCard[] = [];
  for (const entry of entries) {
    if (!entry.isFile || !/\.pub$/i.test(entry.name)) continue;
    const file = `${KEYS_FOLDER}/${entry.name}`;
    if (entry.size > MAX_KEY_FILE) {
      keys.push({ file, ok: false, problem: 'far too large to be a public key' });
      continue;
    }
    const parsed = parsePublicKey(new TextDecoder().decode(await volume.readFile(`/${file}`)));
    keys.push(
      parsed.ok
        ? { file, ok: true, keyNumber: parsed.keyNumber, comment: parsed.comment }
        : { file, ok: false, problem: parsed.reason },
    );
  }
  return keys;
}

export interface KeyChanges {
  /** Public key files to trust: their names on the card (`<name>.pub`) and their text. */
  add?: Array<{ name: string; text: string }>;
  /** Keys to stop trusting: by key number (16 hex digits) or by file name. */
  remove?: string[];
}

export async function changeCardKeys(disk: BlockDevice, changes: KeyChanges): Promise<KeyOnCard[]> {
  const { volume } = await openCardVolume(disk);
  try {
    // Everything is checked before the first write: a bad key or a key not on the card changes nothing.
    const current = await readKeys(volume);
    const adds = (changes.add ?? []).map((key) => {
      const parsed = parsePublicKey(key.text);
      if (!parsed.ok) {
        throw new CardError('bad-key', `${key.name} is not a signify public key (${parsed.reason}).`);
      }
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,59}\.pub$/.test(key.name)) {
        throw new CardError(
          'bad-key',
          `${key.name} cannot be a key file's name on the card: use letters, digits, dots, hyphens and .pub.`,
        );
      }
      return { ...key, keyNumber: parsed.keyNumber };
    });
    const removes = (changes.remove ?? []).map((which) => {
      const found = current.find(
        (key) =>
          key.file.toLowerCase() === `${KEYS_FOLDER}/${which}`.toLowerCase() ||
          key.file.toLowerCase() === `${KEYS_FOLDER}/${which}.pub`.toLowerCase() ||
          (key.ok && key.keyNumber === which.toLowerCase()),
      );
      if (!found) throw new CardError('bad-key', `The card trusts no key ${which}; see astcard key list.`);
      return found;
    });
    for (const removed of removes) await volume.unlink(`/${removed.file}`);
    if (adds.length > 0) {
      const folder = await volume.stat(`/${KEYS_FOLDER}`).catch(() => null);
      if (!folder) await volume.mkdir(`/${KEYS_FOLDER}`);
    }
    for (const key of adds) {
      const trusted = current.find((known) => known.ok && known.keyNumber === key.keyNumber);
      if (trusted && !removes.includes(trusted)) continue;
      await volume.writeFile(`/${KEYS_FOLDER}/${key.name}`, new TextEncoder().encode(key.text));
    }
    await volume.flush();
    return await readKeys(volume);
  } finally {
    await volume.close();
  }
}
