/**
 * The *handoff*: options the loader appends to the AstLinux kernel's command line, telling the new
 * kernel which image, card and keydisk to mount:
 *   astlinux.image=<file> astlinux.card=<XXXX-XXXX> astlinux.digest=<sha1|sha256>:<hex>
 *   astlinux.keydisk=<location> astlinux.loader=<version>
 * Only `image` is required. Values are never quoted; one that would need quoting is refused.
 */
import { type DigestAlgorithm, digestLength } from './checksums.js';
import { PolicyError } from './errors.js';
import {
  parseFatVolumeId,
  parseKeydiskLocation,
  requireBareValue,
  tokenizeCommandLine,
} from './kernel-cmdline.js';

export interface Handoff {
  readonly image: string;
  readonly card: string | null;
  readonly digest: { readonly algo: DigestAlgorithm; readonly hex: string } | null;
  readonly keydisk: string | null;
  readonly loader: string | null;
}

/** The options the loader appends to the AstLinux kernel's command line. */
export function formatHandoff(handoff: Handoff): string {
  const tokens: string[] = [];
  requireBareValue('astlinux.image', handoff.image);
  tokens.push(`astlinux.image=${handoff.image}`);
  if (handoff.card !== null) {
    const id = parseFatVolumeId(handoff.card);
    if (!id) throw new PolicyError('invalid-option', `astlinux.card=${handoff.card} is not a FAT volume id`);
    tokens.push(`astlinux.card=${id}`);
  }
  if (handoff.digest !== null) {
    const { algo, hex } = handoff.digest;
    if (hex.length !== digestLength(algo) || !/^[0-9a-fA-F]+$/.test(hex)) {
      throw new PolicyError('invalid-digest', `"${hex}" is not a ${algo} digest`);
    }
    tokens.push(`astlinux.digest=${algo}:${hex.toLowerCase()}`);
  }
  if (handoff.keydisk !== null) {
    if (!parseKeydiskLocation(handoff.keydisk).ok) {
      throw new PolicyError(
        'invalid-option',
        `astlinux.keydisk=${handoff.keydisk} is not a keydisk location`,
      );
    }
    tokens.push(`astlinux.keydisk=${handoff.keydisk}`);
  }
  if (handoff.loader !== null) {
    requireBareValue('astlinux.loader', handoff.loader);
    tokens.push(`astlinux.loader=${handoff.loader}`);
  }
  return tokens.join(' ');
}

/** Reads the handoff back from the AstLinux kernel's command line. */
export function parseHandoff(
  commandLine: string,
): { ok: true; handoff: Handoff } | { ok: false; reason: string } {
  const found: { [key: string]: string } = {};
  for (const { key, value } of tokenizeCommandLine(commandLine)) {
    if (value !== null) found[key.toLowerCase()] = value;
  }
  const image = found['astlinux.image'];
  if (!image) return { ok: false, reason: 'no astlinux.image' };
  const cardText = found['astlinux.card'];
  const card = cardText === undefined ? null : parseFatVolumeId(cardText);
  if (cardText !== undefined && !card)
    return { ok: false, reason: `astlinux.card=${cardText} is not a FAT volume id` };
  let digest: Handoff['digest'] = null;
  const digestText = found['astlinux.digest'];
  if (digestText !== undefined) {
    const match = /^(sha1|sha256):([0-9a-f]+)$/i.exec(digestText);
    const algo = (match?.[1] ?? '').toLowerCase() as DigestAlgorithm;
    const hex = (match?.[2] ?? '').toLowerCase();
    if (!match || hex.length !== digestLength(algo)) {
      return { ok: false, reason: `astlinux.digest=${digestText} is not <sha1|sha256>:<hex>` };
    }
    digest = { algo, hex };
  }
  const keydisk = found['astlinux.keydisk'] ?? null;
  if (keydisk !== null && !parseKeydiskLocation(keydisk).ok) {
    return { ok: false, reason: `astlinux.keydisk=${keydisk} is not a keydisk location` };
  }
  return { ok: true, handoff: { image, card, digest, keydisk, loader: found['astlinux.loader'] ?? null } };
}
