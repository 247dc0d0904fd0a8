/**
 * The boot policy: which AstLinux image on the card boots, shared by the app (to predict and explain)
 * and the loader (to decide). Two steps, because only the loader can hash:
 *
 * 1. `planBoot(listing, sidecars, pin)` orders the candidates, newest first (a pinned version first),
 *    and rejects without hashing what can be rejected: a name that is not a version, an empty file,
 *    a missing or malformed sidecar. The rest carry the digest their sidecar expects.
 * 2. `decideBoot(plan, computedDigests)` gives each image its verdict; the first `ok` boots.
 *
 * Decisions documented here:
 * - An image without a sidecar never boots: the app writes the sidecar last, so an interrupted copy is
 *   simply skipped.
 * - With both `.sha256` and `.sha1` present, `.sha256` is the one used (the stronger hash), and a malformed
 *   `.sha256` rejects the image rather than falling back to the `.sha1`: a damaged sidecar means the copy
 *   cannot be trusted.
 * - `astlinux.pin` takes a version (`1.5.9`) or an image name; it matches images of the same rank
 *   (pin `1.0` matches `AstLinux-1.0.0.img`). A pin that is absent, unusable or fails its check falls back
 *   to the normal order, and the plan says so.
 * - Files named `AstLinux-*` that are neither an image nor a sidecar (`.img.part`, `.tmp`, …) are ignored
 *   and noted; so are sidecars whose image is missing.
 */
import { type DigestAlgorithm, normalizeDigest, parseSidecar, sidecarAlgorithm } from './checksums.js';
import {
  compareVersionRank,
  compareVersions,
  parseImageName,
  parseVersion,
  type Version,
} from './versions.js';

export interface CardFile {
  readonly name: string;
  readonly size: number;
}

export interface BootPlanInput {
  /** Every file in the card's root directory. */
  readonly files: readonly CardFile[];
  /** Sidecar texts keyed by the sidecar's file name; a listed sidecar absent here could not be read. */
  readonly sidecars: { readonly [fileName: string]: string };
  /** `astlinux.pin`, if given. */
  readonly pin?: string | null;
}

export type Verdict =
  | 'ok'
  | 'mismatch'
  | 'missing-sidecar'
  | 'malformed-sidecar'
  | 'not-a-version'
  | 'zero-length'
  | 'unverified';

/** Verdicts known from the listing and the sidecars alone. */
export type PreVerdict = 'missing-sidecar' | 'malformed-sidecar' | 'not-a-version' | 'zero-length';

export interface ExpectedDigest {
  readonly algo: DigestAlgorithm;
  /** Lower-case hex. */
  readonly digest: string;
  readonly sidecar: string;
}

export interface BootCandidate {
  readonly name: string;
  readonly size: number;
  readonly version: Version | null;
  /** Moved to the front by `astlinux.pin`. */
  readonly pinned: boolean;
  /** Set when the image is rejected without hashing; `expected` is then null. */
  readonly rejection: { readonly verdict: PreVerdict; readonly reason: string } | null;
  readonly expected: ExpectedDigest | null;
}

export type PinStatus = 'none' | 'invalid' | 'found' | 'absent' | 'broken';

export interface BootPlan {
  /** Boot order: pinned first, then newest first, names that are not versions last. */
  readonly candidates: readonly BootCandidate[];
  readonly pin: { readonly requested: string | null; readonly status: PinStatus };
  /** Human lines for the console: pin fallbacks, unfinished copies, sidecars without an image. */
  readonly notes: readonly string[];
}

export interface ImageVerdict {
  readonly name: string;
  readonly verdict: Verdict;
  /** One short console line, e.g. "AstLinux-0.10.0.img: sha1 checksum mismatch, skipping". */
  readonly line: string;
}

export interface BootDecision {
  /** One per candidate, in boot order; those after the booted image are `unverified` unless hashed. */
  readonly verdicts: readonly ImageVerdict[];
  readonly boot: string | null;
  /** The plan's notes, then one line per decision taken, then what boots. */
  readonly lines: readonly string[];
}

const UNFINISHED_COPY = /(\.part|\.partial|\.tmp|\.temp|\.new|\.crdownload|~)$/i;

function findFile(files: readonly CardFile[], name: string): CardFile | null {
  const wanted = name.toLowerCase();
  for (const file of files) if (file.name.toLowerCase() === wanted) return file;
  return null;
}

function lookupIgnoringCase(table: { readonly [key: string]: string }, name: string): string | null {
  // Own keys only (never the prototype's), an exact spelling before a case-insensitive one.
  const wanted = name.toLowerCase();
  let found: string | null = null;
  for (const key of Object.keys(table)) {
    if (key === name) return table[key] ?? null;
    if (found === null && key.toLowerCase() === wanted) found = table[key] ?? null;
  }
  return found;
}

function reject(
  name: string,
  size: number,
  version: Version | null,
  verdict: PreVerdict,
  reason: string,
): BootCandidate {
  return { name, size, version, pinned: false, rejection: { verdict, reason }, expected: null };
}

function examineImage(file: CardFile, input: BootPlanInput): BootCandidate {
  const parsed = parseImageName(file.name);
  if (!parsed.ok)
    return reject(file.name, file.size, null, 'not-a-version', `not a version (${parsed.reason})`);
  const version = parsed.version;
  if (file.size === 0) return reject(file.name, file.size, version, 'zero-length', 'empty file');
  const sidecar = findFile(input.files, `${file.name}.sha256`) ?? findFile(input.files, `${file.name}.sha1`);
  const algo = sidecar ? sidecarAlgorithm(sidecar.name) : null;
  if (!sidecar || !algo) {
    return reject(file.name, file.size, version, 'missing-sidecar', 'no checksum file (.sha256 or .sha1)');
  }
  const text = lookupIgnoringCase(input.sidecars, sidecar.name);
  const checked =
    text === null ? { ok: false as const, reason: 'unreadable' } : parseSidecar(text, file.name, algo);
  if (!checked.ok) {
    const reason = `${sidecar.name} is malformed (${checked.reason})`;
    return reject(file.name, file.size, version, 'malformed-sidecar', reason);
  }
  const expected = { algo, digest: checked.digest, sidecar: sidecar.name };
  return { name: file.name, size: file.size, version, pinned: false, rejection: null, expected };
}

function bootOrder(a: BootCandidate, b: BootCandidate): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  if (a.version && b.version) {
    const byVersion = compareVersions(b.version, a.version);
    if (byVersion !== 0) return byVersion;
  } else if (a.version || b.version) {
    return a.version ? -1 : 1;
  }
  return a.name === b.name ? 0 : a.name < b.name ? -1 : 1;
}

function parsePin(pin: string): { ok: true; version: Version } | { ok: false; reason: string } {
  const asName = parseImageName(pin);
  return asName.ok ? asName : parseVersion(pin);
}

function applyPin(candidates: BootCandidate[], pin: string | null | undefined, notes: string[]): PinStatus {
  if (pin === null || pin === undefined || pin === '') return 'none';
  const label = `astlinux.pin=${pin}`;
  const wanted = parsePin(pin);
  if (!wanted.ok) {
    notes.push(`${label}: not a version (${wanted.reason}), ignored`);
    return 'invalid';
  }
  const matches: number[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const version = candidates[i]?.version;
    if (version && compareVersionRank(version, wanted.version) === 0) matches.push(i);
  }
  if (matches.length === 0) {
    notes.push(`${label}: no such image on the card, booting the newest good one`);
    return 'absent';
  }
  // Several images can match one pin (1.0 and 1.0.0); the pinned ones keep their order among themselves.
  let usable: BootCandidate | null = null;
  for (const index of matches) {
    const candidate = candidates[index];
    if (candidate && !candidate.rejection) {
      candidates[index] = { ...candidate, pinned: true };
      if (!usable || bootOrder(candidate, usable) < 0) usable = candidate;
    }
  }
  if (usable === null) {
    const first = candidates[matches[0] ?? 0];
    const why = first?.rejection ? ` (${first.rejection.reason})` : '';
    notes.push(`${label}: ${first?.name ?? pin} is unusable${why}, booting the newest good one`);
    return 'broken';
  }
  notes.push(`${label}: trying ${usable.name} first`);
  return 'found';
}

function noteStrayFiles(input: BootPlanInput, notes: string[]): void {
  for (const file of input.files) {
    if (!/^astlinux-/i.test(file.name)) continue;
    const algo = sidecarAlgorithm(file.name);
    if (algo) {
      const imageName = file.name.slice(0, file.name.length - algo.length - 1);
      if (!findFile(input.files, imageName))
        notes.push(`${file.name}: checksum file without its image, ignored`);
    } else if (!/\.img$/i.test(file.name)) {
      const what = UNFINISHED_COPY.test(file.name) ? 'unfinished copy' : 'not an image';
      notes.push(`${file.name}: ${what}, ignored`);
    }
  }
}

/** Orders the card's images for booting and rejects what can be rejected without hashing. */
export function planBoot(input: BootPlanInput): BootPlan {
  const candidates: BootCandidate[] = [];
  for (const file of input.files) {
    if (/^astlinux-.*\.img$/i.test(file.name)) candidates.push(examineImage(file, input));
  }
  const notes: string[] = [];
  const pin = input.pin ?? null;
  const status = applyPin(candidates, pin, notes);
  noteStrayFiles(input, notes);
  candidates.sort(bootOrder);
  return { candidates, pin: { requested: pin === '' ? null : pin, status }, notes };
}

/** The verdict on one candidate given its computed digest (null when it was not hashed). */
export function judgeCandidate(candidate: BootCandidate, actualDigest: string | null): ImageVerdict {
  const name = candidate.name;
  const fallback = candidate.pinned ? ' (pinned; falling back to the newest good image)' : '';
  if (candidate.rejection) {
    return {
      name,
      verdict: candidate.rejection.verdict,
      line: `${name}: ${candidate.rejection.reason}, skipping`,
    };
  }
  const expected = candidate.expected;
  const actual = expected && actualDigest !== null ? normalizeDigest(actualDigest, expected.algo) : null;
  if (!expected || actual === null) {
    return { name, verdict: 'unverified', line: `${name}: not checked, skipping${fallback}` };
  }
  if (actual !== expected.digest) {
    return {
      name,
      verdict: 'mismatch',
      line: `${name}: ${expected.algo} checksum mismatch, skipping${fallback}`,
    };
  }
  return { name, verdict: 'ok', line: `${name}: ${expected.algo} checksum ok` };
}

/** Verdicts for every candidate and the image that boots: the first `ok` in plan order. */
export function decideBoot(plan: BootPlan, digests: { readonly [imageName: string]: string }): BootDecision {
  const verdicts: ImageVerdict[] = [];
  const lines: string[] = plan.notes.slice();
  let boot: string | null = null;
  for (const candidate of plan.candidates) {
    const verdict = judgeCandidate(candidate, lookupIgnoringCase(digests, candidate.name));
    verdicts.push(verdict);
    if (boot !== null) continue;
    lines.push(verdict.line);
    if (verdict.verdict === 'ok') boot = candidate.name;
  }
  lines.push(boot === null ? 'no bootable AstLinux image found' : `booting ${boot}`);
  return { verdicts, boot, lines };
}

/** The candidate called `name` (case-insensitive), or null. */
export function findCandidate(plan: BootPlan, name: string): BootCandidate | null {
  const wanted = name.toLowerCase();
  for (const candidate of plan.candidates) if (candidate.name.toLowerCase() === wanted) return candidate;
  return null;
}
