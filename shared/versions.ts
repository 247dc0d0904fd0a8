/**
 * AstLinux image versions: `AstLinux-X.Y.img`, `AstLinux-X.Y.Z.img`, `AstLinux-X.Y.Z.W.img`, each
 * optionally with a pre-release suffix `-alphaN`, `-betaN` or `-rcN` (N optional).
 *
 * Ordering (newest first is what the boot plan wants):
 * 1. Numbers compare numerically, component by component, a missing component counting as 0
 *    (so 0.10.0 > 0.9.9 and 1.5.10 > 1.5.9, the mistake RUNNIX's alphabetical `ls | tail` made).
 * 2. For the same numbers, a release is newer than any pre-release, and alpha < beta < rc;
 *    within a stage the number decides (a missing number counts as 0).
 * 3. Versions equal so far have the *same rank* (1.0 and 1.0.0, rc and rc0). A deterministic tiebreak
 *    then orders their canonical spellings as strings, so the longer spelling wins (1.0.0 > 1.0).
 *    Only identical canonical spellings compare equal.
 *
 * Names are matched case-insensitively, as FAT does. A leading zero (`1.05`) is refused: it would
 * make two different names rank the same, and no AstLinux release was ever spelled that way.
 */
import { PolicyError } from './errors.js';

export type PreReleaseStage = 'alpha' | 'beta' | 'rc';

export interface PreRelease {
  readonly stage: PreReleaseStage;
  /** `null` when the suffix has no number (`-rc`); it ranks as 0. */
  readonly number: number | null;
}

export interface Version {
  /** Two to four numeric components, as written. */
  readonly parts: readonly number[];
  readonly preRelease: PreRelease | null;
}

export type VersionResult = { ok: true; version: Version } | { ok: false; reason: string };

export type ImageNameResult =
  | { ok: true; name: string; version: Version }
  | { ok: false; name: string; reason: string };

const MIN_PARTS = 2;
const MAX_PARTS = 4;
/** Nine digits stay far inside the exact integer range of a double, in every engine. */
const MAX_DIGITS = 9;
const STAGE_RANK: { readonly [stage in PreReleaseStage]: number } = { alpha: 0, beta: 1, rc: 2 };

function parseNumber(
  text: string,
  what: string,
): { ok: true; value: number } | { ok: false; reason: string } {
  if (text === '') return { ok: false, reason: `empty ${what}` };
  if (!/^[0-9]+$/.test(text)) return { ok: false, reason: `"${text}" is not a number` };
  if (text.length > 1 && text.charAt(0) === '0') return { ok: false, reason: `leading zero in "${text}"` };
  if (text.length > MAX_DIGITS) return { ok: false, reason: `"${text}" is too long a number` };
  return { ok: true, value: parseInt(text, 10) };
}

function parsePreRelease(suffix: string): { ok: true; pre: PreRelease } | { ok: false; reason: string } {
  const match = /^(alpha|beta|rc)([0-9]*)$/i.exec(suffix);
  if (!match) return { ok: false, reason: `unknown suffix "-${suffix}" (expected -alphaN, -betaN or -rcN)` };
  const stage = (match[1] ?? '').toLowerCase() as PreReleaseStage;
  const digits = match[2] ?? '';
  if (digits === '') return { ok: true, pre: { stage, number: null } };
  const number = parseNumber(digits, 'pre-release number');
  if (!number.ok) return number;
  return { ok: true, pre: { stage, number: number.value } };
}

/** Parses `1.5.10`, `0.4.1-rc1`, `1.0-BETA2` (case-insensitive). Never guesses: the reason says why not. */
export function parseVersion(text: string): VersionResult {
  if (text === '') return { ok: false, reason: 'no version number' };
  const dash = text.indexOf('-');
  const numbers = dash < 0 ? text : text.slice(0, dash);
  const parts: number[] = [];
  for (const field of numbers.split('.')) {
    const number = parseNumber(field, 'number between dots');
    if (!number.ok) return { ok: false, reason: number.reason };
    parts.push(number.value);
  }
  if (parts.length < MIN_PARTS || parts.length > MAX_PARTS) {
    const reason = `"${numbers}" has ${parts.length} number(s); ${MIN_PARTS} to ${MAX_PARTS} expected`;
    return { ok: false, reason };
  }
  if (dash < 0) return { ok: true, version: { parts, preRelease: null } };
  const pre = parsePreRelease(text.slice(dash + 1));
  if (!pre.ok) return pre;
  return { ok: true, version: { parts, preRelease: pre.pre } };
}

/** Parses `AstLinux-<version>.img`; `name` is always the file name as given. */
export function parseImageName(fileName: string): ImageNameResult {
  const match = /^astlinux-(.*)\.img$/i.exec(fileName);
  if (!match) return { ok: false, name: fileName, reason: 'not named AstLinux-<version>.img' };
  const parsed = parseVersion(match[1] ?? '');
  if (!parsed.ok) return { ok: false, name: fileName, reason: parsed.reason };
  return { ok: true, name: fileName, version: parsed.version };
}

/** Canonical lower-case spelling: `1.5.10`, `0.4.1-rc1`. */
export function formatVersion(version: Version): string {
  const pre = version.preRelease;
  const suffix = pre ? `-${pre.stage}${pre.number === null ? '' : String(pre.number)}` : '';
  return version.parts.join('.') + suffix;
}

/** `AstLinux-<canonical version>.img`. A string is parsed first; one that does not parse throws. */
export function imageFileName(version: Version | string): string {
  if (typeof version === 'string') {
    const parsed = parseVersion(version);
    if (!parsed.ok)
      throw new PolicyError('invalid-version', `"${version}" is not a version: ${parsed.reason}`);
    return imageFileName(parsed.version);
  }
  return `AstLinux-${formatVersion(version)}.img`;
}

function sign(n: number): number {
  return n > 0 ? 1 : n < 0 ? -1 : 0;
}

/** Compares rank only: 1.0 and 1.0.0 rank the same. >0 when `a` is newer. */
export function compareVersionRank(a: Version, b: Version): number {
  const length = Math.max(a.parts.length, b.parts.length);
  for (let i = 0; i < length; i++) {
    const difference = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (difference !== 0) return sign(difference);
  }
  const preA = a.preRelease;
  const preB = b.preRelease;
  if (!preA || !preB) return preA === preB ? 0 : preA ? -1 : 1;
  const stages = STAGE_RANK[preA.stage] - STAGE_RANK[preB.stage];
  if (stages !== 0) return sign(stages);
  return sign((preA.number ?? 0) - (preB.number ?? 0));
}

/** Total order: rank first, then the canonical spelling as a tiebreak. >0 when `a` is newer. */
export function compareVersions(a: Version, b: Version): number {
  const rank = compareVersionRank(a, b);
  if (rank !== 0) return rank;
  const textA = formatVersion(a);
  const textB = formatVersion(b);
  return textA === textB ? 0 : textA > textB ? 1 : -1;
}
