/**
 * A card's signatures as the loader will judge them: the keys it trusts (keys/), the signed lists beside
 * its images, and its policy (`astlinux.signed` on the booting label; unset: `preferred` once it trusts a
 * key). The same shared code the loader runs does the judging (shared/signed-images.ts).
 */
import { parseLoaderOptions, signaturePolicy } from '../../../shared/loader-config.js';
import type { SignaturePolicy } from '../../../shared/signed-images.js';
import { judgeSignatures, type SignatureJudgement } from '../../../shared/signed-images.js';
import { isSignedListName } from '../../../shared/signed-list-name.js';
import type { FatVolume } from '../fat/fat-volume.js';
import { CARD_FILES } from './assets.js';
import { readKeys } from './card-keys.js';
import { OS_FOLDER, readFolder } from './card-listing.js';
import { defaultLabel } from './loader-files.js';

/** Signed lists are a signature and a few lines; anything larger is not one and is not read. */
const MAX_LIST_BYTES = 64 * 1024;

export interface CardSignatures {
  policy: SignaturePolicy;
  judgement: SignatureJudgement;
}

/** The card's trusted key files, its root files and its policy. */
async function trust(volume: FatVolume) {
  const keys: Array<{ name: string; text: string }> = [];
  for (const key of await readKeys(volume)) {
    if (key.ok) keys.push({ name: key.file, text: await text(volume, key.file) });
  }
  const root = (await volume.readdir('/')).filter((entry) => entry.isFile);
  const config = root.find((entry) => entry.name.toLowerCase() === CARD_FILES.config.toLowerCase());
  const append =
    config && config.size < MAX_LIST_BYTES ? defaultLabel(await text(volume, config.name))?.append : '';
  const policy = signaturePolicy(parseLoaderOptions(append ?? '').options.signed, keys.length > 0);
  return { keys, root, policy };
}

/**
 * The policy and who signed each of `names` (file names as the boot plan lists them), from the signed
 * lists in the root and in os/ — or from `lists` when the caller has read them already.
 */
export async function readCardSignatures(
  volume: FatVolume,
  names: string[],
  lists?: Array<{ name: string; text: string }>,
): Promise<CardSignatures> {
  const { keys, root, policy } = await trust(volume);
  const found: Array<{ name: string; text: string }> = [];
  if (policy !== 'off' && !lists) {
    const folders = [{ prefix: '', entries: root }];
    const os = await readFolder(volume, OS_FOLDER);
    if (os) folders.push({ prefix: `${OS_FOLDER}/`, entries: os });
    for (const { prefix, entries } of folders) {
      for (const entry of entries) {
        if (isSignedListName(entry.name) && entry.size <= MAX_LIST_BYTES)
          found.push({ name: `${prefix}${entry.name}`, text: await text(volume, `${prefix}${entry.name}`) });
      }
    }
  }
  const judged = policy === 'off' ? [] : (lists ?? found);
  return { policy, judgement: judgeSignatures({ keys, lists: judged, names }) };
}

async function text(volume: FatVolume, path: string): Promise<string> {
  return new TextDecoder().decode(await volume.readFile(path.startsWith('/') ? path : `/${path}`));
}

/** What a card will make of an image about to be added, with the signed list that came with it (if any). */
export interface IncomingSignature {
  policy: SignaturePolicy;
  /** 'no-keys' when the card trusts no key (signatures play no part there). */
  status: 'signed' | 'unsigned' | 'bad-signature' | 'unknown-key' | 'no-keys';
  signer: string | null;
  reason: string | null;
}

export async function judgeIncoming(
  volume: FatVolume,
  images: Array<{ name: string; signedList?: { text: string } | null }>,
): Promise<IncomingSignature[]> {
  const { keys, policy } = await trust(volume);
  return images.map((image) => {
    if (keys.length === 0) return { policy, status: 'no-keys', signer: null, reason: null };
    const lists = image.signedList ? [{ name: `${image.name}.sha256.sig`, text: image.signedList.text }] : [];
    const status = judgeSignatures({ keys, lists, names: [image.name] }).byName[image.name];
    if (!status || status.status === 'unsigned')
      return { policy, status: 'unsigned', signer: null, reason: null };
    if (status.status === 'signed') return { policy, status: 'signed', signer: status.signer, reason: null };
    return { policy, status: status.status, signer: null, reason: status.reason };
  });
}
