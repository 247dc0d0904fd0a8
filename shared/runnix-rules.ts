/**
 * What RUNNIX — the loader every AstLinux x86 release ships — boots from a card, by its own rules, so
 * astcard can predict a RUNNIX card's boot (ours differ: `boot-plan.ts`). From RUNNIX's `/runnix`:
 *
 * 1. The card is the first partition 1 that is vfat and holds `os/astflag`.
 * 2. The image is `runimg=` from its command line (`auto` on every shipped label), unless
 *    `os/default.conf` sets `RUNIMG`; `auto` is the last `*.run` in `os/` in plain character order
 *    (`ls *.run | tail -n1`), so astlinux-1.5.9.run wins over astlinux-1.5.10.run.
 * 3. `os/ver`, when present, wins over both: its text (trailing newlines dropped) plus `.run`.
 * 4. The checksum is checked only when `os/default.conf` sets `VERIFY_LOCAL="yes"` (shipped commented
 *    out), and a failed check only prints "not verified": the image boots anyway.
 * 5. `<image>.conf` is sourced; without a `KCMD`, or without the initrd it names (or `os/initrd.img`),
 *    RUNNIX stops at its shell.
 */
import { type DigestAlgorithm, normalizeDigest, parseSidecar } from './checksums.js';
import { RUNNIX_BASE, RUNNIX_ROOT, runnixPath } from './release-boot.js';
import { parseReleaseFileName } from './release-names.js';
import { hasOwnKey, parseRunConf, runConfValue } from './run-conf.js';
import { compareVersions, type Version } from './versions.js';

export interface RunnixCardInput {
  /** Names in the card's os folder (bare: `astlinux-1.5.9.run`, `ver`, `astflag`…). */
  readonly osFiles: readonly string[];
  /** Names in the card's root, for an INITRD outside os/; may be left out. */
  readonly rootFiles?: readonly string[];
  /** `os/ver`'s text; null when there is none. */
  readonly ver: string | null;
  /** `os/default.conf`'s text; null when there is none. */
  readonly defaultConf?: string | null;
  /** The command line of the label that starts RUNNIX (for `runimg=`); null or absent: `runimg=auto`. */
  readonly cmdline?: string | null;
  /** Sidecar texts by bare name (`astlinux-1.5.9.run.sha1`). */
  readonly sidecars: { readonly [name: string]: string };
  /** `.run.conf` texts by bare name. */
  readonly runConfs?: { readonly [name: string]: string };
  /** sha1 of each `.run` as the caller computed it, by bare name; a name absent was not hashed. */
  readonly digests?: { readonly [name: string]: string };
}

export type RunnixRule = 'os-ver' | 'runimg' | 'default-conf' | 'auto';

export type RunnixChecksum = 'ok' | 'mismatch' | 'missing' | 'malformed' | 'unverified';

export interface RunnixPrediction {
  /** Whether RUNNIX takes this card for its AstLinux card (os/astflag). */
  readonly recognised: boolean;
  /** The image RUNNIX asks for, as it spells it (`astlinux-1.5.9.run`); null when it asks for none. */
  readonly image: string | null;
  /** The rule that named it. */
  readonly rule: RunnixRule | null;
  /** The image is in os/ (FAT finds names whatever their case). */
  readonly found: boolean;
  /** The newest release in os/ by version, as named there; null when none has a version. */
  readonly newest: string | null;
  /** Whether the image is that newest release; null when either has no version to compare. */
  readonly isNewest: boolean | null;
  readonly checksum: RunnixChecksum;
  /** `VERIFY_LOCAL="yes"` in os/default.conf: RUNNIX checks (and boots a failing image anyway). */
  readonly verifyLocal: boolean;
  /** RUNNIX gets as far as starting the image's kernel (as far as the card alone can tell). */
  readonly starts: boolean;
  /** Plain sentences for a person, in order. */
  readonly lines: readonly string[];
}

function own(table: { readonly [key: string]: string } | undefined, key: string): string | null {
  if (!table) return null;
  if (hasOwnKey(table, key)) return table[key] ?? null;
  // FAT finds a name whatever its case; so does RUNNIX when it opens one.
  const wanted = key.toLowerCase();
  for (const name of Object.keys(table)) if (name.toLowerCase() === wanted) return table[name] ?? null;
  return null;
}

function findName(names: readonly string[], wanted: string): string | null {
  const lower = wanted.toLowerCase();
  for (const name of names) if (name.toLowerCase() === lower) return name;
  return null;
}

/** `ls *.run | tail -n1`: names ending in `.run` (case matters to the shell), in plain character order. */
export function runnixAutoImage(osFiles: readonly string[]): string | null {
  let last: string | null = null;
  for (const name of osFiles) {
    if (name.charAt(0) === '.' || name.length <= 4 || name.slice(name.length - 4) !== '.run') continue;
    if (last === null || name > last) last = name;
  }
  return last;
}

function chooseImage(input: RunnixCardInput): {
  image: string | null;
  rule: RunnixRule;
  verifyLocal: boolean;
} {
  let runimg = '';
  let rule: RunnixRule = 'auto';
  for (const word of (input.cmdline ?? '').split(/\s+/)) {
    if (word.slice(0, 7) === 'runimg=') runimg = word.slice(7);
  }
  if (runimg !== '' && runimg !== 'auto') rule = 'runimg';
  let verifyLocal = false;
  if (input.defaultConf !== null && input.defaultConf !== undefined) {
    const conf = parseRunConf(input.defaultConf, { BASE: RUNNIX_BASE, ROOT: RUNNIX_ROOT, RUNIMG: runimg });
    const fromConf = runConfValue(conf, 'RUNIMG');
    if (fromConf !== null && fromConf !== runimg) {
      runimg = fromConf;
      rule = runimg === '' || runimg === 'auto' ? 'auto' : 'default-conf';
    }
    verifyLocal = runConfValue(conf, 'VERIFY_LOCAL') === 'yes';
  }
  let image: string | null = runimg === '' || runimg === 'auto' ? runnixAutoImage(input.osFiles) : runimg;
  if (input.ver !== null) {
    image = `${input.ver.replace(/\n+$/, '')}.run`;
    rule = 'os-ver';
  }
  return { image, rule, verifyLocal };
}

function newestRelease(osFiles: readonly string[]): { name: string; version: Version } | null {
  let best: { name: string; version: Version } | null = null;
  for (const name of osFiles) {
    const parsed = parseReleaseFileName(name);
    if (!parsed.ok || parsed.kind !== 'run') continue;
    if (best === null || compareVersions(parsed.version, best.version) > 0)
      best = { name, version: parsed.version };
  }
  return best;
}

function checksumOf(input: RunnixCardInput, image: string): RunnixChecksum {
  const algo: DigestAlgorithm = 'sha1';
  const sidecarName = findName(input.osFiles, `${image}.sha1`);
  if (sidecarName === null) return 'missing';
  const text = own(input.sidecars, sidecarName);
  const parsed = text === null ? null : parseSidecar(text, image, algo);
  if (parsed === null || !parsed.ok) return 'malformed';
  const actualText = own(input.digests, image);
  const actual = actualText === null ? null : normalizeDigest(actualText, algo);
  if (actual === null) return 'unverified';
  return actual === parsed.digest ? 'ok' : 'mismatch';
}

/** Whether RUNNIX can start `image` from its `.conf`: null when it can, else the reason. */
function startProblem(input: RunnixCardInput, image: string): string | null {
  const confName = `${image}.conf`;
  const text = findName(input.osFiles, confName) === null ? null : own(input.runConfs, confName);
  if (text === null) return `there is no ${confName} to give it a kernel command line (KCMD)`;
  const conf = parseRunConf(text, { BASE: RUNNIX_BASE, ROOT: RUNNIX_ROOT, RUNIMG: image });
  const kcmd = runConfValue(conf, 'KCMD') ?? '';
  if (runConfValue(conf, 'INITRAMFS') === 'yes') return kcmd === '' ? `${confName} sets no KCMD` : null;
  if (kcmd === '') return `${confName} sets no KCMD (the kernel command line)`;
  const cardFiles: string[] = [];
  for (const name of input.osFiles) cardFiles.push(`os/${name}`);
  for (const name of input.rootFiles ?? []) cardFiles.push(name);
  const initrdText = runConfValue(conf, 'INITRD') ?? '';
  const mapped = initrdText === '' ? null : runnixPath(initrdText);
  const named = mapped && mapped.where === 'card' ? findName(cardFiles, mapped.path) : null;
  if (named === null && findName(cardFiles, 'os/initrd.img') === null) {
    return initrdText === ''
      ? 'its initrd, os/initrd.img, is not on the card'
      : `its initrd is missing: neither ${initrdText} nor os/initrd.img is on the card`;
  }
  return null;
}

function checksumLine(checksum: RunnixChecksum, image: string, verifyLocal: boolean): string {
  const anyway = verifyLocal
    ? 'RUNNIX checks it (VERIFY_LOCAL="yes"), says "not verified" and boots it anyway.'
    : 'RUNNIX boots it anyway: it checks checksums only when os/default.conf sets VERIFY_LOCAL="yes", and even then boots an image that fails.';
  switch (checksum) {
    case 'ok':
      return `Its checksum (${image}.sha1) is right.`;
    case 'mismatch':
      return `It does not match its checksum (${image}.sha1): it is damaged. ${anyway}`;
    case 'missing':
      return `It has no checksum file (${image}.sha1). ${anyway}`;
    case 'malformed':
      return `Its checksum file ${image}.sha1 is damaged or names another file. ${anyway}`;
    default:
      return 'Its checksum was not checked here.';
  }
}

function ruleLine(rule: RunnixRule, image: string, ver: string | null): string {
  switch (rule) {
    case 'os-ver':
      return `RUNNIX boots ${image}: os/ver names ${(ver ?? '').replace(/\n+$/, '')}.`;
    case 'runimg':
      return `RUNNIX boots ${image}: its command line says runimg=${image}.`;
    case 'default-conf':
      return `RUNNIX boots ${image}: os/default.conf sets RUNIMG=${image}.`;
    default:
      return `RUNNIX boots ${image}: without os/ver it takes the last .run file in alphabetical order.`;
  }
}

/** RUNNIX's choice for this card and what a person should know about it. */
export function predictRunnixBoot(input: RunnixCardInput): RunnixPrediction {
  const newest = newestRelease(input.osFiles);
  const base = { newest: newest ? newest.name : null, isNewest: null, checksum: 'unverified' as const };
  if (findName(input.osFiles, 'astflag') === null) {
    const lines = ['RUNNIX will not recognise this card: there is no os/astflag on it.'];
    return {
      ...base,
      recognised: false,
      image: null,
      rule: null,
      found: false,
      verifyLocal: false,
      starts: false,
      lines,
    };
  }
  const { image, rule, verifyLocal } = chooseImage(input);
  if (image === null) {
    const lines = ['RUNNIX finds no .run file in os/ and stops at its shell.'];
    return { ...base, recognised: true, image: null, rule, found: false, verifyLocal, starts: false, lines };
  }
  const lines: string[] = [ruleLine(rule, image, input.ver)];
  const found = findName(input.osFiles, image);
  if (found === null) {
    lines.push(`There is no os/${image}, so RUNNIX stops at its shell.`);
    return { ...base, recognised: true, image, rule, found: false, verifyLocal, starts: false, lines };
  }
  const parsed = parseReleaseFileName(found);
  let isNewest: boolean | null = null;
  if (parsed.ok && parsed.kind === 'run' && newest) {
    isNewest = compareVersions(parsed.version, newest.version) >= 0;
    if (!isNewest) {
      const why =
        rule === 'auto' && newest.name < found
          ? ` RUNNIX compares names letter by letter, so ${found} sorts after ${newest.name}.`
          : '';
      lines.push(`That is not the newest release on the card: ${newest.name} is newer.${why}`);
    }
  } else if (newest) {
    lines.push(`${found} has no release version, so it cannot be compared with ${newest.name}.`);
  }
  const checksum = checksumOf(input, found);
  lines.push(checksumLine(checksum, found, verifyLocal));
  const problem = startProblem(input, found);
  if (problem !== null) lines.push(`RUNNIX cannot start it: ${problem}; it stops at its shell.`);
  return {
    recognised: true,
    image,
    rule,
    found: true,
    newest: base.newest,
    isNewest,
    checksum,
    verifyLocal,
    starts: problem === null,
    lines,
  };
}
