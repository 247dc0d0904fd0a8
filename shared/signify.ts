/**
 * OpenBSD signify's files, byte for byte, so publishers sign with the tool they have and astcard checks
 * what `signify -C` checks:
 *
 *   untrusted comment: <text>\n
 *   <base64 of "Ed" + 8-byte key number + payload>\n
 *   [embedded message]
 *
 * The payload is a 32-byte Ed25519 public key (a `.pub` file) or a 64-byte signature (a `.sig` file).
 * `signify -S -e -m SHA256` embeds the message after the signature: for astcard, a checksum list of
 * `SHA256 (name) = digest` lines, as `sha256sum --tag` (or OpenBSD's `sha256`) writes them. The signature
 * covers the message's bytes exactly, so the list text is verified as UTF-8 bytes.
 */
import { decodeBase64, encodeBase64 } from './base64.js';
import { type Bytes, bytesFromHex, hexFromBytes, utf8Bytes } from './bytes.js';
import { ED25519_SIGNATURE_BYTES, ed25519KeyProblem, ed25519Verify } from './ed25519.js';
import { PolicyError } from './errors.js';

const COMMENT_HEADER = 'untrusted comment: ';
const ALGORITHM_BYTES = [0x45, 0x64]; // "Ed"
const KEY_NUMBER_BYTES = 8;
/** signify keeps comments in 1024 bytes, the terminating NUL included. */
const MAX_COMMENT_BYTES = 1023;
/** A checksum list for a folder of images is a few kilobytes; anything far larger is not one. */
export const MAX_SIGNED_LIST_CHARS = 65536;
const MAX_LIST_LINE_CHARS = 1000;

export type SignedDigestAlgorithm = 'sha256' | 'sha512';

export interface SignifyPublicKey {
  /** The 8-byte key number as 16 hex digits: which key made a signature. */
  readonly keyNumber: string;
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Bytes;
  readonly comment: string;
}

export interface SignedListEntry {
  readonly algo: SignedDigestAlgorithm;
  /** The file name as the list writes it (it may carry a directory). */
  readonly name: string;
  /** Lower-case hex. */
  readonly digest: string;
}

export interface SignifySignature {
  readonly comment: string;
  readonly keyNumber: string;
  /** The 64-byte Ed25519 signature. */
  readonly signature: Bytes;
}

export type SignedListVerdict = 'bad-signature' | 'unknown-key' | 'malformed';

export type SignedListResult =
  | {
      ok: true;
      keyNumber: string;
      /** The trusted key's comment: who signed, in the publisher's words. */
      keyComment: string;
      entries: SignedListEntry[];
    }
  | { ok: false; verdict: SignedListVerdict; reason: string; keyNumber: string | null };

export interface SignifyFile {
  readonly comment: string;
  /** The decoded second line, "Ed" included. */
  readonly data: Bytes;
  /** Whatever follows the base64 line: the embedded message of a signature. */
  readonly rest: string;
}

/**
 * The comment line and the base64 line of any signify file, checked as signify checks them: the comment
 * header, a newline after the base64 (optional only where people paste, as in `.pub` files), the "Ed"
 * algorithm and the decoded length. A carriage return before either newline is tolerated.
 */
export function readSignifyFile(
  text: string,
  dataBytes: number,
  requireNewline: boolean,
): { ok: true; file: SignifyFile } | { ok: false; reason: string } {
  const commentEnd = text.indexOf('\n');
  const commentLine = (commentEnd < 0 ? text : text.slice(0, commentEnd)).replace(/\r$/, '');
  if (commentLine.slice(0, COMMENT_HEADER.length) !== COMMENT_HEADER) {
    return {
      ok: false,
      reason: `not a signify file: the first line does not start with "${COMMENT_HEADER}"`,
    };
  }
  const comment = commentLine.slice(COMMENT_HEADER.length);
  if (comment === '') return { ok: false, reason: 'the comment line is empty after "untrusted comment:"' };
  if (utf8Bytes(comment).length > MAX_COMMENT_BYTES) {
    return { ok: false, reason: `the comment is longer than ${MAX_COMMENT_BYTES} bytes` };
  }
  if (commentEnd < 0) return { ok: false, reason: 'it ends after the comment line' };
  const lineEnd = text.indexOf('\n', commentEnd + 1);
  if (lineEnd < 0 && requireNewline) {
    return { ok: false, reason: 'the base64 line is cut short (no newline after it)' };
  }
  const line = (lineEnd < 0 ? text.slice(commentEnd + 1) : text.slice(commentEnd + 1, lineEnd)).replace(
    /\r$/,
    '',
  );
  const data = decodeBase64(line);
  if (!data) return { ok: false, reason: 'the second line is not valid base64' };
  if (data.length !== dataBytes) {
    return { ok: false, reason: `the second line holds ${data.length} bytes, ${dataBytes} were expected` };
  }
  if (data[0] !== ALGORITHM_BYTES[0] || data[1] !== ALGORITHM_BYTES[1]) {
    return { ok: false, reason: 'not an Ed25519 signify key or signature (algorithm is not "Ed")' };
  }
  return { ok: true, file: { comment, data, rest: lineEnd < 0 ? '' : text.slice(lineEnd + 1) } };
}

/** "Ed", the key number, then the key or signature: the public key and signature layouts. */
function readKeyNumbered(
  text: string,
  payloadBytes: number,
  requireNewline: boolean,
):
  | { ok: true; comment: string; keyNumber: string; payload: Bytes; rest: string }
  | { ok: false; reason: string } {
  const read = readSignifyFile(
    text,
    ALGORITHM_BYTES.length + KEY_NUMBER_BYTES + payloadBytes,
    requireNewline,
  );
  if (!read.ok) return read;
  const { comment, data, rest } = read.file;
  const payloadStart = ALGORITHM_BYTES.length + KEY_NUMBER_BYTES;
  return {
    ok: true,
    comment,
    keyNumber: hexFromBytes(data.slice(ALGORITHM_BYTES.length, payloadStart)),
    payload: data.slice(payloadStart),
    rest,
  };
}

/** A signify public key file (`.pub`). Keys that could never verify anything are refused here. */
export function parsePublicKey(
  text: string,
): ({ ok: true } & SignifyPublicKey) | { ok: false; reason: string } {
  const read = readKeyNumbered(text, 32, false);
  if (!read.ok) return read;
  const problem = ed25519KeyProblem(read.payload);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, keyNumber: read.keyNumber, publicKey: read.payload, comment: read.comment };
}

/** Parses the embedded message: `SHA256 (name) = digest` lines, digests in hex or (OpenBSD) base64. */
export function parseChecksumList(
  message: string,
): { ok: true; entries: SignedListEntry[] } | { ok: false; reason: string } {
  const entries: SignedListEntry[] = [];
  const lines = message.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] as string).replace(/\r$/, '');
    if (line === '') continue;
    const where = `line ${index + 1} of the list`;
    // signify reads names of up to 1023 bytes; the length check also keeps the pattern below within
    // what mujs's regular expressions can repeat (about a thousand times).
    if (line.length > MAX_LIST_LINE_CHARS) return { ok: false, reason: `${where} is too long` };
    const match = /^([A-Za-z0-9]+) \(([^)]+)\) = ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!match) return { ok: false, reason: `${where} is not "SHA256 (file name) = digest"` };
    const algoName = match[1] as string;
    const name = match[2] as string;
    const algo: SignedDigestAlgorithm | null =
      algoName === 'SHA256' ? 'sha256' : algoName === 'SHA512' ? 'sha512' : null;
    if (!algo)
      return { ok: false, reason: `${where} uses ${algoName}; signify checks only SHA256 and SHA512` };
    const digest = digestHex(match[3] as string, algo === 'sha256' ? 32 : 64);
    if (!digest) return { ok: false, reason: `${where} has a digest of the wrong length for ${algoName}` };
    let duplicate = false;
    for (let j = 0; j < entries.length; j++) {
      const other = entries[j] as SignedListEntry;
      if (other.name !== name || other.algo !== algo) continue;
      if (other.digest !== digest) {
        return { ok: false, reason: `${where} gives ${name} a second, different ${algoName} digest` };
      }
      duplicate = true;
    }
    if (!duplicate) entries.push({ algo, name, digest });
  }
  if (entries.length === 0) return { ok: false, reason: 'the signed list names no file' };
  return { ok: true, entries };
}

/** Lower-case hex of a digest written in hex (either case) or base64, or null. */
function digestHex(text: string, bytes: number): string | null {
  if (text.length === 2 * bytes) {
    const raw = bytesFromHex(text);
    return raw ? hexFromBytes(raw) : null;
  }
  const raw = decodeBase64(text);
  return raw && raw.length === bytes ? hexFromBytes(raw) : null;
}

/** The signature part of a signed list (`signify -S -e`), and the message that follows it. */
export function parseSignature(
  text: string,
): { ok: true; signature: SignifySignature; message: string } | { ok: false; reason: string } {
  if (text.length > MAX_SIGNED_LIST_CHARS) {
    return {
      ok: false,
      reason: `larger than ${MAX_SIGNED_LIST_CHARS} characters, not a signed checksum list`,
    };
  }
  const read = readKeyNumbered(text, ED25519_SIGNATURE_BYTES, true);
  if (!read.ok) return read;
  return {
    ok: true,
    signature: { comment: read.comment, keyNumber: read.keyNumber, signature: read.payload },
    message: read.rest,
  };
}

/** Signature and list, without judging the signature: for showing what a file claims. */
export function parseSignedList(
  text: string,
):
  | { ok: true; signature: SignifySignature; message: string; entries: SignedListEntry[] }
  | { ok: false; reason: string } {
  const parsed = parseSignature(text);
  if (!parsed.ok) return parsed;
  const list = parseChecksumList(parsed.message);
  if (!list.ok) return list;
  return { ok: true, signature: parsed.signature, message: parsed.message, entries: list.entries };
}

/**
 * Checks a signed list against the trusted keys, as `signify -C` would, and returns its entries. The
 * signature is judged before the list's content, so an altered list reads as a bad signature.
 */
export function verifySignedList(text: string, publicKeys: readonly SignifyPublicKey[]): SignedListResult {
  const parsed = parseSignature(text);
  if (!parsed.ok) return { ok: false, verdict: 'malformed', reason: parsed.reason, keyNumber: null };
  const { signature, message } = parsed;
  const keyNumber = signature.keyNumber;
  const candidates: SignifyPublicKey[] = [];
  for (let i = 0; i < publicKeys.length; i++) {
    const key = publicKeys[i] as SignifyPublicKey;
    if (key.keyNumber === keyNumber) candidates.push(key);
  }
  if (candidates.length === 0) {
    const known = publicKeys.length === 0 ? 'there are no trusted keys' : 'it is not one of the trusted keys';
    return {
      ok: false,
      verdict: 'unknown-key',
      reason: `signed with key ${keyNumber}, and ${known}`,
      keyNumber,
    };
  }
  const bytes = utf8Bytes(message);
  let signer: SignifyPublicKey | null = null;
  for (let i = 0; i < candidates.length && !signer; i++) {
    const key = candidates[i] as SignifyPublicKey;
    if (ed25519Verify(key.publicKey, bytes, signature.signature)) signer = key;
  }
  if (!signer) {
    return {
      ok: false,
      verdict: 'bad-signature',
      reason: `the signature of key ${keyNumber} does not match: the list was changed after signing, or the signature is damaged`,
      keyNumber,
    };
  }
  const list = parseChecksumList(message);
  if (!list.ok) return { ok: false, verdict: 'malformed', reason: list.reason, keyNumber };
  return { ok: true, keyNumber, keyComment: signer.comment, entries: list.entries };
}

function checkComment(comment: string): void {
  if (comment === '' || utf8Bytes(comment).length > MAX_COMMENT_BYTES || /[\r\n]/.test(comment)) {
    throw new PolicyError(
      'invalid-option',
      `"${comment}" cannot be a signify comment (one line, 1 to ${MAX_COMMENT_BYTES} bytes)`,
    );
  }
}

/** The two lines of a signify file; `data` is everything after the comment, "Ed" included. */
export function formatSignifyFile(comment: string, data: readonly number[]): string {
  checkComment(comment);
  return `${COMMENT_HEADER}${comment}\n${encodeBase64(data)}\n`;
}

function formatKeyNumbered(
  comment: string,
  keyNumber: string,
  payload: readonly number[],
  bytes: number,
): string {
  const number = bytesFromHex(keyNumber);
  if (!number || number.length !== KEY_NUMBER_BYTES) {
    throw new PolicyError('invalid-option', `"${keyNumber}" is not a key number (16 hex digits)`);
  }
  if (payload.length !== bytes) {
    throw new PolicyError(
      'invalid-option',
      `expected ${bytes} bytes of key or signature, got ${payload.length}`,
    );
  }
  return formatSignifyFile(comment, ALGORITHM_BYTES.concat(number, payload.slice()));
}

/** The text of a `.pub` file. */
export function formatPublicKey(key: SignifyPublicKey): string {
  return formatKeyNumbered(key.comment, key.keyNumber, key.publicKey, 32);
}

/** `SHA256 (name) = hex` lines, the message a signed list embeds. */
export function formatChecksumList(entries: readonly SignedListEntry[]): string {
  let text = '';
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as SignedListEntry;
    if (entry.name === '' || /[)\r\n]/.test(entry.name)) {
      throw new PolicyError('invalid-option', `"${entry.name}" cannot be named in a signed checksum list`);
    }
    const digest = bytesFromHex(entry.digest);
    if (!digest || digest.length !== (entry.algo === 'sha256' ? 32 : 64)) {
      throw new PolicyError('invalid-digest', `"${entry.digest}" is not a ${entry.algo} digest`);
    }
    text += `${entry.algo === 'sha256' ? 'SHA256' : 'SHA512'} (${entry.name}) = ${hexFromBytes(digest)}\n`;
  }
  return text;
}

/** The text of a signed list (`signify -S -e`): the signature block, then the message it signs. */
export function formatSignedList(signature: SignifySignature, message: string): string {
  return (
    formatKeyNumbered(signature.comment, signature.keyNumber, signature.signature, ED25519_SIGNATURE_BYTES) +
    message
  );
}
