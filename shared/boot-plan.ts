/**
 * The boot policy: which AstLinux image on the card boots, shared by the app (to predict and explain)
 * and the loader (to decide). Two steps, because only the loader can hash:
 *
 * 1. `planBoot(listing, sidecars, pin)` orders the candidates, newest first (a pinned version first),
 *    and rejects without hashing what can be rejected: a name that is not a version, an empty file,
 *    a missing or malformed sidecar. The rest carry the digest their sidecar expects.
 * 2. `decideBoot(plan, computedDigests, contents)` gives each image its verdict; the first `ok` boots. The
 *    loader learns an image's content by mounting it; the app judges it from the image's bytes
 *    (`contents`): an image that verifies but cannot be mounted, or has no kernel, is skipped by both.
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
 *
 * Real AstLinux releases (`release-names.ts`) take part too, listed as `os/<name>` (the card's os folder,
 * where AstLinux's own initrd looks for them): `os/astlinux-1.5.10.run` is a candidate checked against
 * `os/astlinux-1.5.10.run.sha1`, and started as its `.run.conf` says (`release-boot.ts`). A release that
 * cannot start — no `.run.conf`, no initrd, no `os/astflag` on the card (AstLinux's initrd would not find
 * the card) — is rejected before hashing as `incomplete-release`.
 * - Both kinds are ordered by version together: the newest version boots whatever its kind. For the same
 *   version, astcard's image comes first and the release after it; each is the other's fallback.
 * - `os/ver` (what RUNNIX boots) is not read here: this plan boots the newest release that verifies, and
 *   `astlinux.pin` chooses another.
 *
 * Signed images (`signed-images.ts` says who signed what; `astlinux.signed` is the policy):
 * - `off`: signatures play no part.
 * - `preferred` (the default on a card with trusted keys): an image a trusted key signed is checked
 *   against the signed SHA-256 and boots before any unsigned one, however new; an unsigned image (or one
 *   signed by a key the card does not trust) still boots after them by its checksum file.
 * - `required`: only images a trusted key signed boot.
 * - A signed list whose signature fails rejects the images it names under both: the list was changed
 *   after signing, so neither it nor the image's own checksum file can be trusted.
 */
import { type DigestAlgorithm, normalizeDigest, parseSidecar, sidecarAlgorithm } from './checksums.js';
import { type ReleaseRecipe, releaseRecipe } from './release-boot.js';
import { parseReleaseFileName, parseReleaseName } from './release-names.js';
import type { SignaturePolicy, SignatureStatus } from './signed-images.js';
import { isSignedListName } from './signed-list-name.js';
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
  /** Every file in the card's root directory, and every file in its os folder as `os/<name>`. */
  readonly files: readonly CardFile[];
  /** Sidecar texts keyed by the sidecar's file name; a listed sidecar absent here could not be read. */
  readonly sidecars: { readonly [fileName: string]: string };
  /** `.run.conf` texts keyed by file name (`os/astlinux-1.5.10.run.conf`); a listed one absent here could not be read. */
  readonly runConfs?: { readonly [fileName: string]: string };
  /** `astlinux.pin`, if given. */
  readonly pin?: string | null;
  /** The signature policy and what the card's signed lists say of each candidate (judgeSignatures). */
  readonly signatures?: {
    readonly policy: SignaturePolicy;
    readonly byName: { readonly [name: string]: SignatureStatus };
  } | null;
}

export type Verdict =
  | 'ok'
  | 'mismatch'
  | 'missing-sidecar'
  | 'malformed-sidecar'
  | 'not-a-version'
  | 'zero-length'
  | 'incomplete-release'
  | 'unsigned'
  | 'bad-signature'
  | 'unknown-key'
  | 'mount-failed'
  | 'no-kernel'
  | 'not-partition-1'
  | 'unverified';

/** Verdicts known from the listing and the sidecars alone. */
export type PreVerdict =
  | 'missing-sidecar'
  | 'malformed-sidecar'
  | 'not-a-version'
  | 'zero-length'
  | 'incomplete-release'
  | 'unsigned'
  | 'bad-signature'
  | 'unknown-key';

export interface ExpectedDigest {
  readonly algo: DigestAlgorithm;
  /** Lower-case hex. */
  readonly digest: string;
  readonly sidecar: string;
}

export interface BootCandidate {
  /** The file's name as listed: `AstLinux-1.5.10.img`, or `os/astlinux-1.5.10.run` for a release. */
  readonly name: string;
  /** `image`: astcard's own format at the card's root; `release`: a real AstLinux release in os/. */
  readonly kind: 'image' | 'release';
  readonly size: number;
  readonly version: Version | null;
  /** Moved to the front by `astlinux.pin`. */
  readonly pinned: boolean;
  /** Set when the image is rejected without hashing; `expected` is then null. */
  readonly rejection: { readonly verdict: PreVerdict; readonly reason: string } | null;
  readonly expected: ExpectedDigest | null;
  /** For a release that can start: how (from its `.run.conf`). */
  readonly recipe: ReleaseRecipe | null;
  /** Signed by a trusted key, when the policy looks at signatures: checked against the signed digest. */
  readonly signedBy: { readonly signer: string; readonly keyNumber: string } | null;
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
  file: CardFile,
  kind: BootCandidate['kind'],
  version: Version | null,
  verdict: PreVerdict,
  reason: string,
): BootCandidate {
  const { name, size } = file;
  return {
    name,
    kind,
    size,
    version,
    pinned: false,
    rejection: { verdict, reason },
    expected: null,
    recipe: null,
    signedBy: null,
  };
}

/**
 * What the signature policy makes of a candidate: the signed digest to check it against, a rejection, or
 * null to go on with its checksum file like any image.
 */
function signatureRule(
  file: CardFile,
  input: BootPlanInput,
):
  | { kind: 'signed'; expected: ExpectedDigest; signedBy: { signer: string; keyNumber: string } }
  | { kind: 'reject'; verdict: PreVerdict; reason: string }
  | null {
  const policy = input.signatures?.policy ?? 'off';
  if (policy === 'off') return null;
  const status: SignatureStatus = input.signatures?.byName[file.name] ?? { status: 'unsigned' };
  if (status.status === 'signed') {
    return {
      kind: 'signed',
      expected: { algo: 'sha256', digest: status.digest, sidecar: status.list },
      signedBy: { signer: status.signer, keyNumber: status.keyNumber },
    };
  }
  if (status.status === 'bad-signature')
    return { kind: 'reject', verdict: 'bad-signature', reason: status.reason };
  if (policy === 'required') {
    return status.status === 'unknown-key'
      ? { kind: 'reject', verdict: 'unknown-key', reason: `${status.reason} (astlinux.signed=required)` }
      : {
          kind: 'reject',
          verdict: 'unsigned',
          reason: 'not signed by a trusted key (astlinux.signed=required)',
        };
  }
  return null;
}

/** The sidecar that checks `file` (`.sha256` over `.sha1`), read and parsed; `fileName` is what it must name. */
function expectedDigest(
  file: CardFile,
  fileName: string,
  input: BootPlanInput,
): { ok: true; expected: ExpectedDigest } | { ok: false; verdict: PreVerdict; reason: string } {
  const sidecar = findFile(input.files, `${file.name}.sha256`) ?? findFile(input.files, `${file.name}.sha1`);
  const algo = sidecar ? sidecarAlgorithm(sidecar.name) : null;
  if (!sidecar || !algo) {
    return { ok: false, verdict: 'missing-sidecar', reason: 'no checksum file (.sha256 or .sha1)' };
  }
  const text = lookupIgnoringCase(input.sidecars, sidecar.name);
  const checked =
    text === null ? { ok: false as const, reason: 'unreadable' } : parseSidecar(text, fileName, algo);
  if (!checked.ok) {
    return {
      ok: false,
      verdict: 'malformed-sidecar',
      reason: `${sidecar.name} is malformed (${checked.reason})`,
    };
  }
  return { ok: true, expected: { algo, digest: checked.digest, sidecar: sidecar.name } };
}

function examineImage(file: CardFile, input: BootPlanInput): BootCandidate {
  const parsed = parseImageName(file.name);
  if (!parsed.ok) return reject(file, 'image', null, 'not-a-version', `not a version (${parsed.reason})`);
  const version = parsed.version;
  if (file.size === 0) return reject(file, 'image', version, 'zero-length', 'empty file');
  const signature = signatureRule(file, input);
  if (signature?.kind === 'reject')
    return reject(file, 'image', version, signature.verdict, signature.reason);
  const digest = signature
    ? { ok: true as const, expected: signature.expected }
    : expectedDigest(file, file.name, input);
  if (!digest.ok) return reject(file, 'image', version, digest.verdict, digest.reason);
  const { name, size } = file;
  return {
    name,
    kind: 'image',
    size,
    version,
    pinned: false,
    rejection: null,
    expected: digest.expected,
    recipe: null,
    signedBy: signature?.signedBy ?? null,
  };
}

/** `os/x` → `x`, or null for a name outside the os folder. */
function inOsFolder(name: string): string | null {
  return /^os\/[^/]+$/i.test(name) ? name.slice(3) : null;
}

function examineRelease(file: CardFile, baseName: string, input: BootPlanInput): BootCandidate {
  const parsed = parseReleaseFileName(baseName);
  if (!parsed.ok) return reject(file, 'release', null, 'not-a-version', `not a version (${parsed.reason})`);
  const version = parsed.version;
  if (file.size === 0) return reject(file, 'release', version, 'zero-length', 'empty file');
  const signature = signatureRule(file, input);
  if (signature?.kind === 'reject')
    return reject(file, 'release', version, signature.verdict, signature.reason);
  const digest = signature
    ? { ok: true as const, expected: signature.expected }
    : expectedDigest(file, baseName, input);
  if (!digest.ok) return reject(file, 'release', version, digest.verdict, digest.reason);
  if (!findFile(input.files, 'os/astflag')) {
    const reason = "the card has no os/astflag, so AstLinux's own initrd would not find it";
    return reject(file, 'release', version, 'incomplete-release', reason);
  }
  const confName = `${file.name}.conf`;
  const confFile = findFile(input.files, confName);
  const cardFiles: string[] = [];
  for (const listed of input.files) cardFiles.push(listed.name);
  const recipe = releaseRecipe({
    release: parsed.release,
    conf: confFile ? lookupIgnoringCase(input.runConfs ?? {}, confFile.name) : null,
    confListed: confFile !== null,
    cardFiles,
  });
  if (!recipe.ok) return reject(file, 'release', version, 'incomplete-release', recipe.reason);
  const { name, size } = file;
  return {
    name,
    kind: 'release',
    size,
    version,
    pinned: false,
    rejection: null,
    expected: digest.expected,
    recipe: recipe.recipe,
    signedBy: signature?.signedBy ?? null,
  };
}

function bootOrder(a: BootCandidate, b: BootCandidate): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  // Only under `preferred` do signed and unsigned candidates meet; the signed ones go first.
  if ((a.signedBy === null) !== (b.signedBy === null)) return a.signedBy ? -1 : 1;
  if (a.version && b.version) {
    const byVersion = compareVersions(b.version, a.version);
    if (byVersion !== 0) return byVersion;
  } else if (a.version || b.version) {
    return a.version ? -1 : 1;
  }
  if (a.kind !== b.kind) return a.kind === 'image' ? -1 : 1;
  return a.name === b.name ? 0 : a.name < b.name ? -1 : 1;
}

/** A pin is a version (`1.5.9`), an image name, a release name (`astlinux-1.5.9`) or its `.run`. */
function parsePin(pin: string): { ok: true; version: Version } | { ok: false; reason: string } {
  const asName = parseImageName(pin);
  if (asName.ok) return asName;
  const asRelease = parseReleaseName(pin);
  if (asRelease.ok) return asRelease;
  const asReleaseFile = parseReleaseFileName(pin);
  if (asReleaseFile.ok && asReleaseFile.kind === 'run') return asReleaseFile;
  return parseVersion(pin);
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
    const inOs = inOsFolder(file.name);
    if (inOs !== null) {
      noteStrayReleaseFile(input, file, inOs, notes);
      continue;
    }
    if (!/^astlinux-/i.test(file.name) || isSignedListName(file.name)) continue;
    const release = parseReleaseFileName(file.name);
    if (release.ok && release.kind === 'archive') {
      notes.push(
        `${file.name}: a release archive does not boot as it is (adding it unpacks it into os/), ignored`,
      );
      continue;
    }
    if (release.ok && release.kind !== 'archive-sha1') {
      notes.push(`${file.name}: a release file belongs in the card's os folder, ignored here`);
      continue;
    }
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

/** In os/ only a release's checksum without its .run is worth a line: the rest is RUNNIX's own. */
function noteStrayReleaseFile(input: BootPlanInput, file: CardFile, baseName: string, notes: string[]): void {
  const parsed = parseReleaseFileName(baseName);
  if (!parsed.ok || (parsed.kind !== 'run-sha1' && parsed.kind !== 'run-sha256')) return;
  const algo = sidecarAlgorithm(file.name) ?? 'sha1';
  const runName = file.name.slice(0, file.name.length - algo.length - 1);
  if (!findFile(input.files, runName)) notes.push(`${file.name}: checksum file without its release, ignored`);
}

/** Orders the card's images for booting and rejects what can be rejected without hashing. */
export function planBoot(input: BootPlanInput): BootPlan {
  const candidates: BootCandidate[] = [];
  for (const file of input.files) {
    const inOs = inOsFolder(file.name);
    if (inOs === null && /^astlinux-.*\.img$/i.test(file.name)) candidates.push(examineImage(file, input));
    else if (inOs !== null && /^astlinux-.*\.run$/i.test(inOs))
      candidates.push(examineRelease(file, inOs, input));
  }
  const notes: string[] = [];
  for (const candidate of candidates) {
    for (const note of candidate.recipe ? candidate.recipe.notes : [])
      notes.push(`${candidate.name}: ${note}`);
  }
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
  const signed = candidate.signedBy ? `, signed by ${candidate.signedBy.signer}` : '';
  return { name, verdict: 'ok', line: `${name}: ${expected.algo} checksum ok${signed}` };
}

/**
 * What an image holds, as far as booting it goes (judged from its bytes by the app), or — for a release —
 * that the card is not where AstLinux's own initrd would find it (`not-partition-1`, which the loader
 * learns from the device it found the card on).
 */
export type ImageContent =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly verdict: 'mount-failed' | 'no-kernel' | 'not-partition-1';
      readonly reason: string;
    };

/** Verdicts for every candidate and the image that boots: the first `ok` in plan order. */
export function decideBoot(
  plan: BootPlan,
  digests: { readonly [imageName: string]: string },
  contents: { readonly [imageName: string]: ImageContent } = {},
): BootDecision {
  const verdicts: ImageVerdict[] = [];
  const lines: string[] = plan.notes.slice();
  let boot: string | null = null;
  for (const candidate of plan.candidates) {
    let verdict = judgeCandidate(candidate, lookupIgnoringCase(digests, candidate.name));
    const content = contentOf(contents, candidate.name);
    if (verdict.verdict === 'ok' && content && !content.ok) {
      // The same words as the loader's own line when its mount or its kernel check fails.
      verdict = {
        name: candidate.name,
        verdict: content.verdict,
        line: `${candidate.name}: ${content.reason}, skipping`,
      };
    }
    verdicts.push(verdict);
    if (boot !== null) continue;
    lines.push(verdict.line);
    if (verdict.verdict === 'ok') boot = candidate.name;
  }
  lines.push(boot === null ? 'no bootable AstLinux image found' : `booting ${boot}`);
  return { verdicts, boot, lines };
}

function contentOf(
  contents: { readonly [imageName: string]: ImageContent },
  name: string,
): ImageContent | null {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(contents)) if (key.toLowerCase() === wanted) return contents[key] ?? null;
  return null;
}

/** The candidate called `name` (case-insensitive), or null. */
export function findCandidate(plan: BootPlan, name: string): BootCandidate | null {
  const wanted = name.toLowerCase();
  for (const candidate of plan.candidates) if (candidate.name.toLowerCase() === wanted) return candidate;
  return null;
}
