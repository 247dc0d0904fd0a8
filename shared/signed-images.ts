/**
 * Who signed which image: the card's trusted keys (`keys/*.pub`, signify public keys) against its signed
 * checksum lists — one per image beside it (`AstLinux-1.5.10.img.sha256.sig`, `os/astlinux-1.5.10.run.sha256.sig`)
 * or one for a whole folder (`SHA256.sig`, `os/SHA256.sig`). The app and the loader both call this, so
 * what the app says about a signature is what the loader decides. The boot plan then applies the policy
 * (`astlinux.signed`): see boot-plan.ts.
 *
 * Decisions:
 * - A list applies to the files of its own folder; it names them without a folder.
 * - An image named by a list that verifies is `signed`, with the SHA-256 the list gives (which then
 *   replaces its .sha1 as the digest it must have). A verified list wins over a bad one naming the same
 *   image: a good signature is evidence, a bad one only says that file cannot be trusted.
 * - An image named only by lists whose signature fails is `bad-signature`; only by lists signed with keys
 *   the card does not trust, `unknown-key`; by no list, `unsigned`.
 */
export { isSignedListName } from './signed-list-name.js';

import {
  parsePublicKey,
  parseSignedList,
  type SignedListEntry,
  type SignifyPublicKey,
  verifySignedList,
} from './signify.js';

export type SignaturePolicy = 'required' | 'preferred' | 'off';

export type SignatureStatus =
  | {
      readonly status: 'signed';
      /** SHA-256 of the image as the signed list gives it, lower-case hex. */
      readonly digest: string;
      readonly keyNumber: string;
      /** The trusted key's comment: who signed, in their words. */
      readonly signer: string;
      /** The signed list that names it. */
      readonly list: string;
    }
  | { readonly status: 'unsigned' }
  | { readonly status: 'bad-signature' | 'unknown-key'; readonly reason: string; readonly list: string };

export interface CardText {
  readonly name: string;
  readonly text: string;
}

export interface SignatureInput {
  /** The key files in `keys/`, by name. */
  readonly keys: readonly CardText[];
  /** Every signed list found beside the candidates (file names with their folder, like `os/SHA256.sig`). */
  readonly lists: readonly CardText[];
  /** The candidates' file names, as the plan lists them (`AstLinux-1.5.10.img`, `os/astlinux-1.5.10.run`). */
  readonly names: readonly string[];
}

export interface SignatureJudgement {
  /** Keys that could be read, and one line per key file that could not. */
  readonly keys: readonly SignifyPublicKey[];
  readonly notes: readonly string[];
  readonly byName: { readonly [name: string]: SignatureStatus };
}

function folderOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? '' : name.slice(0, slash + 1);
}

function baseOf(name: string): string {
  return name.slice(folderOf(name).length);
}

function sha256Entry(entries: readonly SignedListEntry[], base: string): SignedListEntry | null {
  const wanted = base.toLowerCase();
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as SignedListEntry;
    if (entry.algo === 'sha256' && entry.name.toLowerCase() === wanted) return entry;
  }
  return null;
}

/** A per-image list may only speak for its own image; a folder list for its folder. */
function listCovers(list: string, candidate: string): boolean {
  if (folderOf(list).toLowerCase() !== folderOf(candidate).toLowerCase()) return false;
  const base = baseOf(list);
  if (/^SHA256\.sig$/i.test(base)) return true;
  return base.toLowerCase() === `${baseOf(candidate)}.sha256.sig`.toLowerCase();
}

export function judgeSignatures(input: SignatureInput): SignatureJudgement {
  const keys: SignifyPublicKey[] = [];
  const notes: string[] = [];
  for (let i = 0; i < input.keys.length; i++) {
    const file = input.keys[i] as CardText;
    const parsed = parsePublicKey(file.text);
    if (parsed.ok)
      keys.push({ keyNumber: parsed.keyNumber, publicKey: parsed.publicKey, comment: parsed.comment });
    else notes.push(`${file.name}: not a usable public key (${parsed.reason}), ignored`);
  }
  const byName: { [name: string]: SignatureStatus } = {};
  for (let i = 0; i < input.names.length; i++) byName[input.names[i] as string] = { status: 'unsigned' };
  for (let i = 0; i < input.lists.length; i++) {
    const list = input.lists[i] as CardText;
    const covered: string[] = [];
    for (let j = 0; j < input.names.length; j++) {
      const name = input.names[j] as string;
      if (listCovers(list.name, name)) covered.push(name);
    }
    if (covered.length === 0) continue;
    const verified = verifySignedList(list.text, keys);
    if (verified.ok) {
      for (let j = 0; j < covered.length; j++) {
        const name = covered[j] as string;
        const entry = sha256Entry(verified.entries, baseOf(name));
        if (!entry) continue;
        byName[name] = {
          status: 'signed',
          digest: entry.digest,
          keyNumber: verified.keyNumber,
          signer: verified.keyComment,
          list: list.name,
        };
      }
      continue;
    }
    // A list that does not verify may still say which files it claims to vouch for.
    const claimed = parseSignedList(list.text);
    for (let j = 0; j < covered.length; j++) {
      const name = covered[j] as string;
      const perImage = !/^SHA256\.sig$/i.test(baseOf(list.name));
      const claims = perImage || (claimed.ok && sha256Entry(claimed.entries, baseOf(name)) !== null);
      const current = byName[name] as SignatureStatus;
      if (!claims || current.status === 'signed') continue;
      const status = verified.verdict === 'unknown-key' ? 'unknown-key' : 'bad-signature';
      // Of two failing lists, a bad signature says more than an unknown key.
      if (current.status === 'bad-signature' && status === 'unknown-key') continue;
      byName[name] = { status, reason: `${list.name}: ${verified.reason}`, list: list.name };
    }
  }
  return { keys, notes, byName };
}
