/**
 * Signed checksum lists, as `signify -S -e -m <list>` makes them: the signature block, then the list it
 * signs. `signify -C -p <key>.pub -x <list>.sig` checks what this writes, and shared/signify.ts reads it.
 */
import { sign } from 'node:crypto';
import { PolicyError } from '../../../shared/errors.js';
import { formatChecksumList, formatSignedList, type SignedListEntry } from '../../../shared/signify.js';
import type { SignifySecretKey } from './secret-key.js';
import { SigningError } from './signing-error.js';

export interface SignListOptions {
  /** The signature's comment line; signify writes "verify with <key>.pub" when it knows the file name. */
  readonly comment?: string;
}

/** The text of a signed list naming `entries`, signed with `secretKey`. */
export function signList(
  secretKey: SignifySecretKey,
  entries: readonly SignedListEntry[],
  options: SignListOptions = {},
): string {
  const comment = options.comment ?? `signature from ${secretKey.comment}`;
  try {
    const message = formatChecksumList(entries);
    const signature = sign(null, Buffer.from(message, 'utf8'), secretKey.privateKey);
    return formatSignedList({ comment, keyNumber: secretKey.keyNumber, signature: [...signature] }, message);
  } catch (error) {
    if (error instanceof PolicyError) {
      throw new SigningError('invalid-option', 'The list cannot be written in signify format.', {
        cause: error,
        detail: error.message,
      });
    }
    throw error;
  }
}
