/** FAT naming rules: which long names are allowed, and the 8.3 alias each long name gets. */
import { FatError } from './fat-error.js';

export const MAX_LONG_NAME = 255;
/** NT case flags in the short entry: whole base / whole extension stored in lower case, no LFN needed. */
export const CASE_LOWER_BASE = 0x08;
export const CASE_LOWER_EXT = 0x10;

const LONG_INVALID = new Set(['"', '*', '/', ':', '<', '>', '?', '\\', '|']);
/** Characters long names may use but 8.3 names may not. */
const SHORT_INVALID = new Set(['+', ',', ';', '=', '[', ']', '.', ' ']);

/** Throws unless `name` is a single, acceptable long file name. */
export function validateLongName(name: string): void {
  const reject = (why: string): never => {
    throw new FatError('invalid-name', `${JSON.stringify(name)}: ${why}`);
  };
  if (name.length === 0) reject('empty');
  if (name.length > MAX_LONG_NAME) reject(`longer than ${MAX_LONG_NAME} characters`);
  if (name === '.' || name === '..') reject('reserved name');
  for (const char of name) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) reject('control character');
    if (LONG_INVALID.has(char)) reject(`character ${JSON.stringify(char)} is not allowed`);
    if (code >= 0xd800 && code <= 0xdfff && char.length === 1) reject('unpaired surrogate');
  }
  if (name.endsWith('.') || name.endsWith(' ')) reject('ends with a dot or space');
  if (name.startsWith(' ')) reject('starts with a space');
}

/** Splits "/a/b/c" into validated segments; the empty path and "/" are the root. */
export function splitPath(path: string): string[] {
  if (typeof path !== 'string') throw new FatError('invalid-name', 'path is not a string');
  if (path.includes('\\'))
    throw new FatError('invalid-name', `${JSON.stringify(path)}: use "/" as separator`);
  const segments = path.split('/').filter((segment) => segment.length > 0);
  for (const segment of segments) validateLongName(segment);
  return segments;
}

function isShortChar(char: string): boolean {
  const code = char.charCodeAt(0);
  if (code > 0x7e) return false; // we write ASCII-only aliases: no code page guesswork
  if (code < 0x20 || LONG_INVALID.has(char) || SHORT_INVALID.has(char)) return false;
  return true;
}

export interface ShortName {
  /** The 11 raw bytes: 8 base + 3 extension, space padded, upper case. */
  raw: Uint8Array;
  /** NT case flags for byte 12 of the entry. */
  caseFlags: number;
  /** True when the long name must be stored in LFN entries because the alias does not say it all. */
  needsLongName: boolean;
}

function toRaw(base: string, ext: string): Uint8Array {
  const raw = new Uint8Array(11).fill(0x20);
  for (let i = 0; i < base.length; i++) raw[i] = base.charCodeAt(i);
  for (let i = 0; i < ext.length; i++) raw[8 + i] = ext.charCodeAt(i);
  if (raw[0] === 0xe5) raw[0] = 0x05;
  return raw;
}

function rawKey(raw: Uint8Array): string {
  return String.fromCharCode(...raw);
}

/** The same case throughout (letters only), so NT case flags can express it. */
function singleCase(text: string): 'upper' | 'lower' | 'mixed' {
  const hasLower = text !== text.toUpperCase();
  const hasUpper = text !== text.toLowerCase();
  return hasLower && hasUpper ? 'mixed' : hasLower ? 'lower' : 'upper';
}

/**
 * The 8.3 entry for `longName` in a directory whose short names are `taken` (raw keys from
 * `shortKey`). Names that fit 8.3 exactly are stored without LFN entries (using the NT case flags
 * for an all-lower-case base or extension); others get a lossy basis name and a numeric tail `~N`.
 */
export function makeShortName(longName: string, taken: ReadonlySet<string>): ShortName {
  const dot = longName.lastIndexOf('.');
  const base = dot > 0 ? longName.slice(0, dot) : longName;
  const ext = dot > 0 ? longName.slice(dot + 1) : '';
  const fits =
    base.length >= 1 &&
    base.length <= 8 &&
    ext.length <= 3 &&
    (dot <= 0 || ext.length > 0) &&
    [...base, ...ext].every(isShortChar);
  if (fits) {
    const baseCase = singleCase(base);
    const extCase = singleCase(ext);
    const raw = toRaw(base.toUpperCase(), ext.toUpperCase());
    if (!taken.has(rawKey(raw))) {
      if (baseCase !== 'mixed' && extCase !== 'mixed') {
        const caseFlags =
          (baseCase === 'lower' ? CASE_LOWER_BASE : 0) | (extCase === 'lower' ? CASE_LOWER_EXT : 0);
        return { raw, caseFlags, needsLongName: false };
      }
      return { raw, caseFlags: 0, needsLongName: true };
    }
  }
  // Lossy basis: drop spaces and leading dots, keep the last extension, replace the rest with '_'.
  const stripped = longName.replace(/ /g, '').replace(/^\.+/, '');
  const lastDot = stripped.lastIndexOf('.');
  const basisSource = (lastDot >= 0 ? stripped.slice(0, lastDot) : stripped).replace(/\./g, '');
  const extSource = lastDot >= 0 ? stripped.slice(lastDot + 1) : '';
  const clean = (text: string): string =>
    [...text.toUpperCase()].map((char) => (isShortChar(char) ? char : '_')).join('');
  const basis = clean(basisSource).slice(0, 8) || '_';
  const extension = clean(extSource).slice(0, 3);
  for (let tail = 1; tail <= 999999; tail++) {
    const suffix = `~${tail}`;
    const raw = toRaw(basis.slice(0, 8 - suffix.length) + suffix, extension);
    if (!taken.has(rawKey(raw))) return { raw, caseFlags: 0, needsLongName: true };
  }
  throw new FatError('already-exists', `no free 8.3 alias for ${JSON.stringify(longName)}`);
}

export function shortKey(raw: Uint8Array): string {
  return rawKey(raw.subarray(0, 11));
}

/** How an 8.3 entry reads back: "NAME.EXT", honouring the NT lower-case flags. */
export function displayShortName(raw: Uint8Array, caseFlags: number): string {
  let base = String.fromCharCode(...raw.subarray(0, 8)).trimEnd();
  let ext = String.fromCharCode(...raw.subarray(8, 11)).trimEnd();
  if (base.charCodeAt(0) === 0x05) base = `\u00e5${base.slice(1)}`;
  if (caseFlags & CASE_LOWER_BASE) base = base.toLowerCase();
  if (caseFlags & CASE_LOWER_EXT) ext = ext.toLowerCase();
  return ext ? `${base}.${ext}` : base;
}

/** The checksum LFN entries carry to prove they belong to the following 8.3 entry. */
export function lfnChecksum(raw: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + (raw[i] ?? 0)) & 0xff;
  return sum;
}

/** Case-insensitive key for name lookup. */
export function nameKey(name: string): string {
  return name.toUpperCase();
}

/** Volume labels: up to 11 upper-case 8.3 characters (spaces allowed inside). */
export function normalizeLabel(label: string): string {
  const upper = label.toUpperCase();
  if (upper.length > 11)
    throw new FatError('invalid-option', `label ${JSON.stringify(label)} is longer than 11`);
  for (const char of upper) {
    if (char !== ' ' && (!isShortChar(char) || char === '.')) {
      throw new FatError('invalid-option', `label ${JSON.stringify(label)} contains ${JSON.stringify(char)}`);
    }
  }
  return upper.trimEnd();
}
