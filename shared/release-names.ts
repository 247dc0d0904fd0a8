/**
 * The names of real AstLinux releases, as AstLinux's own build writes them and RUNNIX reads them.
 *
 * A release is called `astlinux-<version>` (`astlinux-1.5.10`, `astlinux-1.2.4.1`); its files are
 * `<release>.run` (the squashfs root), `.run.sha1`, `.run.conf` (RUNNIX's settings for it) and
 * `.initrd.img`, shipped as `<release>.tar.gz` (a folder `<release>/` holding them) with
 * `<release>.tar.gz.sha1` beside it. The board is never part of the name: it is the folder of the
 * firmware repository (`genx86_64/`, `genx86_64-serial/`, `genx86_64-vm/`), so releases for two boards
 * have the same names.
 *
 * Versions are read with the same grammar and order as astcard's own images (`versions.ts`), so 1.5.10
 * is newer than 1.5.9 and `-rcN` comes before its release. Builds made from a git checkout are called
 * `astlinux-1.5-<commit count>-<commit>`: their number counts commits, not releases, so they are refused
 * as versions (with a reason saying so) rather than ranked against releases by a guess.
 */
import { PolicyError } from './errors.js';
import { formatVersion, parseVersion, type Version } from './versions.js';

export type ReleaseFileKind =
  | 'run'
  | 'run-sha1'
  | 'run-sha256'
  | 'run-conf'
  | 'initrd'
  | 'archive'
  | 'archive-sha1';

export type ReleaseNameResult =
  | { ok: true; name: string; version: Version }
  | { ok: false; name: string; reason: string };

export type ReleaseFileResult =
  | { ok: true; name: string; release: string; version: Version; kind: ReleaseFileKind }
  | { ok: false; name: string; reason: string };

export interface ReleaseFiles {
  readonly run: string;
  readonly runSha1: string;
  readonly runConf: string;
  readonly initrd: string;
  readonly archive: string;
  readonly archiveSha1: string;
}

/** Longest suffix first, so `.run.sha1` is not read as a release called `….run`. */
const SUFFIXES: readonly { readonly suffix: string; readonly kind: ReleaseFileKind }[] = [
  { suffix: '.tar.gz.sha1', kind: 'archive-sha1' },
  { suffix: '.run.sha256', kind: 'run-sha256' },
  { suffix: '.initrd.img', kind: 'initrd' },
  { suffix: '.run.sha1', kind: 'run-sha1' },
  { suffix: '.run.conf', kind: 'run-conf' },
  { suffix: '.tar.gz', kind: 'archive' },
  { suffix: '.run', kind: 'run' },
];

const DEVELOPMENT_BUILD = /^[0-9]+\.[0-9]+-[0-9]+-[0-9a-f]{6}$/i;

/** Reads `astlinux-1.5.10` (case-insensitive, as FAT is); `name` is always the text as given. */
export function parseReleaseName(text: string): ReleaseNameResult {
  const match = /^astlinux-(.*)$/i.exec(text);
  if (!match) return { ok: false, name: text, reason: 'not named astlinux-<version>' };
  const versionText = match[1] ?? '';
  if (DEVELOPMENT_BUILD.test(versionText)) {
    return {
      ok: false,
      name: text,
      reason: `a development build (its number ${versionText} counts commits, not releases), not a release version`,
    };
  }
  const parsed = parseVersion(versionText);
  if (!parsed.ok) return { ok: false, name: text, reason: parsed.reason };
  return { ok: true, name: text, version: parsed.version };
}

/** Reads a release's file name (`astlinux-1.5.10.run.conf`): which release, which of its files. */
export function parseReleaseFileName(fileName: string): ReleaseFileResult {
  const lower = fileName.toLowerCase();
  for (const { suffix, kind } of SUFFIXES) {
    if (lower.length <= suffix.length || lower.slice(lower.length - suffix.length) !== suffix) continue;
    const release = fileName.slice(0, fileName.length - suffix.length);
    const parsed = parseReleaseName(release);
    if (!parsed.ok) return { ok: false, name: fileName, reason: parsed.reason };
    return { ok: true, name: fileName, release, version: parsed.version, kind };
  }
  return {
    ok: false,
    name: fileName,
    reason: 'not a release file (.run, .run.sha1, .run.conf, .initrd.img, .tar.gz or .tar.gz.sha1)',
  };
}

/** `astlinux-<canonical version>`. A string is parsed first; one that does not parse throws. */
export function releaseName(version: Version | string): string {
  if (typeof version === 'string') {
    const parsed = parseVersion(version);
    if (!parsed.ok)
      throw new PolicyError('invalid-version', `"${version}" is not a version: ${parsed.reason}`);
    return releaseName(parsed.version);
  }
  return `astlinux-${formatVersion(version)}`;
}

/** The file names of one release, spelled as the release is (`astlinux-1.5.10` → `astlinux-1.5.10.run`…). */
export function releaseFiles(release: string): ReleaseFiles {
  const parsed = parseReleaseName(release);
  if (!parsed.ok) throw new PolicyError('invalid-version', `"${release}" is not a release: ${parsed.reason}`);
  return {
    run: `${release}.run`,
    runSha1: `${release}.run.sha1`,
    runConf: `${release}.run.conf`,
    initrd: `${release}.initrd.img`,
    archive: `${release}.tar.gz`,
    archiveSha1: `${release}.tar.gz.sha1`,
  };
}
