/**
 * Real AstLinux releases on a card, in `os/` where AstLinux's own initrd looks for them, written so that no
 * cut can make a damaged release bootable:
 *
 *   1. a release of the same name already there loses its checksum file first (it stops being a candidate);
 *   2. its initrd and `.run.conf` go in (harmless alone: nothing boots a release without its checksum file);
 *   3. the `.run` is copied under a temporary name, read back, renamed, and its `.run.sha1` written last —
 *      from that moment astcard's loader may boot it;
 *   4. `os/ver` — what RUNNIX boots — switches last, by writing `os/ver.new` and renaming it over `os/ver`,
 *      after `os/Xver` was set to the version it replaces (AstLinux's own upgrade keeps them that way).
 */
import { createReadStream } from 'node:fs';
import { readBootMenu } from '../../../shared/boot-menu-read.js';
import { planBoot } from '../../../shared/boot-plan.js';
import { sidecarAlgorithm } from '../../../shared/checksums.js';
import { releaseFiles } from '../../../shared/release-names.js';
import { predictRunnixBoot } from '../../../shared/runnix-rules.js';
import { IO_CHUNK } from '../block/io-chunk.js';
import type { FatVolume } from '../fat/fat-volume.js';
import { CARD_FILES } from './assets.js';
import { OS_FOLDER, readFolder } from './card-listing.js';
import { noteChecksumOrigin } from './checksum-record.js';
import { type CopiedImage, copyImageToCard, removeIfPresent, type VouchedImageSource } from './copy-image.js';
import type { ProgressListener } from './progress.js';
import type { ReleaseSource } from './release-source.js';
import { runnixEntry } from './runnix-side.js';
import { readTextIfPresent, replaceSmallFile } from './small-files.js';

export interface CopyReleaseOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** The digests of a read already made (verifyBeforeErase), so the copy need not hash again. */
  vouched?: VouchedImageSource['vouched'];
  /** Carry the running release's own KCMD additions into the new `.run.conf`, as AstLinux's upgrade does. */
  carryFrom?: string | null;
}

/** Puts one release into os/ (steps 1–3 above); os/ver is the caller's, once every release is in. */
export async function copyReleaseToCard(
  volume: FatVolume,
  release: ReleaseSource,
  options: CopyReleaseOptions = {},
): Promise<CopiedImage> {
  const names = releaseFiles(release.release);
  const os = `${OS_FOLDER}/`;
  await ensureOsFolder(volume);
  for (const algo of ['sha1', 'sha256'] as const) await removeIfPresent(volume, `${os}${names.run}.${algo}`);
  const conf = options.carryFrom
    ? mergeKcmd(await readTextIfPresent(volume, `${os}${options.carryFrom}.run.conf`), release.conf)
    : release.conf;
  await replaceSmallFile(volume, `${os}${names.runConf}`, new TextEncoder().encode(conf));
  await volume.writeFile(
    `${os}${names.initrd}`,
    createReadStream(release.initrd.path, { highWaterMark: IO_CHUNK }) as AsyncIterable<Uint8Array>,
    { size: release.initrd.size },
  );
  const source: VouchedImageSource = options.vouched
    ? { ...release.run, vouched: options.vouched }
    : release.run;
  return copyImageToCard(volume, source, {
    folder: os,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** os/ with its empty os/astflag: how AstLinux's initrd (and RUNNIX) know this is the AstLinux card. */
export async function ensureOsFolder(volume: FatVolume): Promise<void> {
  const folder = await volume.stat(`/${OS_FOLDER}`).catch(() => null);
  if (!folder) await volume.mkdir(`/${OS_FOLDER}`);
  const flag = await volume.stat(`/${OS_FOLDER}/astflag`).catch(() => null);
  if (!flag) await volume.writeFile(`/${OS_FOLDER}/astflag`, new Uint8Array(0));
}

/** The release names os/ver and os/Xver give, or null. */
export async function readVer(volume: FatVolume, which: 'ver' | 'Xver'): Promise<string | null> {
  const text = await readTextIfPresent(volume, `${OS_FOLDER}/${which}`);
  const value = text?.split(/\r?\n/)[0]?.trim() ?? '';
  return value === '' ? null : value;
}

/**
 * Switches what RUNNIX boots to `release` (step 4): os/Xver keeps what was running, then os/ver changes in
 * one rename. `running` is what RUNNIX boots when os/ver is absent (its own choice, runningRelease): a
 * revert must be able to go back to it. Nothing happens when os/ver already names `release`.
 */
export async function switchVer(
  volume: FatVolume,
  release: string,
  running?: string | null,
): Promise<{ ver: string; xver: string | null }> {
  const ver = await readVer(volume, 'ver');
  if (ver !== null && sameRelease(ver, release)) return { ver, xver: await readVer(volume, 'Xver') };
  const current = ver ?? running ?? null;
  if (current !== null && !sameRelease(current, release))
    await replaceSmallFile(volume, `${OS_FOLDER}/Xver`, new TextEncoder().encode(`${current}\n`));
  await replaceSmallFile(volume, `${OS_FOLDER}/ver`, new TextEncoder().encode(`${release}\n`));
  return { ver: release, xver: await readVer(volume, 'Xver') };
}

/**
 * The release RUNNIX boots now: os/ver's, else its own choice by its rules (runimg= of its label,
 * os/default.conf's RUNIMG, or the alphabetically last `.run`). Null when it would boot none.
 */
export async function runningRelease(volume: FatVolume): Promise<string | null> {
  const ver = await readVer(volume, 'ver');
  if (ver !== null) return ver;
  const config = await readTextIfPresent(volume, CARD_FILES.config);
  const runnix = runnixEntry(config === null ? null : readBootMenu(config));
  const os = (await readFolder(volume, OS_FOLDER)) ?? [];
  const prediction = predictRunnixBoot({
    osFiles: os.map((entry) => entry.name),
    ver: null,
    defaultConf: await readTextIfPresent(volume, `${OS_FOLDER}/default.conf`),
    cmdline: runnix?.entry.append ?? null,
    sidecars: {},
  });
  return prediction.found && prediction.image ? prediction.image.replace(/\.run$/i, '') : null;
}

export function sameRelease(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Swaps os/ver and os/Xver, each switch a rename: AstLinux's own revert. */
export async function swapVer(volume: FatVolume): Promise<{ ver: string; xver: string } | null> {
  const ver = await readVer(volume, 'ver');
  const xver = await readVer(volume, 'Xver');
  if (!ver || !xver) return null;
  await replaceSmallFile(volume, `${OS_FOLDER}/Xver`, new TextEncoder().encode(`${ver}\n`));
  await replaceSmallFile(volume, `${OS_FOLDER}/ver`, new TextEncoder().encode(`${xver}\n`));
  return { ver: xver, xver: ver };
}

/** Removes a release's files, its checksum file first (so a half-removed release never boots). */
export async function removeRelease(volume: FatVolume, release: string): Promise<void> {
  const names = releaseFiles(release);
  const os = `${OS_FOLDER}/`;
  for (const name of [
    `${names.run}.sha256.sig`,
    names.runSha1,
    `${names.run}.sha256`,
    names.run,
    names.runConf,
    names.initrd,
  ])
    await removeIfPresent(volume, `${os}${name}`);
  await noteChecksumOrigin(volume, `${os}${names.run}`, null);
}

/** The newest release in os/ whose checksum file is in place: what astcard's loader would pick among them. */
export async function newestGoodRelease(volume: FatVolume): Promise<string | null> {
  const files = await listOs(volume);
  const sidecars: { [name: string]: string } = {};
  const confs: { [name: string]: string } = {};
  for (const file of files) {
    if (sidecarAlgorithm(file.name) !== null && file.size < 4096)
      sidecars[file.name] = (await readTextIfPresent(volume, file.name)) ?? '';
    if (/\.run\.conf$/i.test(file.name) && file.size < 65536)
      confs[file.name] = (await readTextIfPresent(volume, file.name)) ?? '';
  }
  const plan = planBoot({ files, sidecars, runConfs: confs });
  const good = plan.candidates.find(
    (candidate) => candidate.kind === 'release' && candidate.rejection === null,
  );
  return good ? good.name.replace(/^os\//i, '').replace(/\.run$/i, '') : null;
}

async function listOs(volume: FatVolume): Promise<Array<{ name: string; size: number }>> {
  const entries = (await readFolder(volume, OS_FOLDER)) ?? [];
  return entries.map((entry) => ({ name: `${OS_FOLDER}/${entry.name}`, size: entry.size }));
}

const KCMD_LINE = /^KCMD="([^"]*)"(.*)$/m;

/**
 * What AstLinux's upgrade carries from the running release's KCMD into the new one: the options a person
 * added (noram, rootdelay=, reboot=, processor.max_cstate=), and their own libata.dma= and console=.
 */
export function mergeKcmd(oldConf: string | null, newConf: string): string {
  const oldKcmd = oldConf ? KCMD_LINE.exec(oldConf)?.[1] : undefined;
  const match = KCMD_LINE.exec(newConf);
  if (!oldKcmd || !match) return newConf;
  let tokens = (match[1] ?? '').split(/\s+/).filter(Boolean);
  const old = oldKcmd.split(/\s+/).filter(Boolean);
  const added = old.filter(
    (token) =>
      /^(noram|rootdelay=.*|reboot=.*|processor\.max_cstate=.*)$/.test(token) && !tokens.includes(token),
  );
  if (added.length > 0) {
    const at = tokens.indexOf('astlive');
    tokens =
      at >= 0 ? [...tokens.slice(0, at + 1), ...added, ...tokens.slice(at + 1)] : [...tokens, ...added];
  }
  for (const prefix of ['libata.dma=', 'console=']) {
    const mine = old.find((token) => token.startsWith(prefix));
    if (mine) tokens = tokens.map((token) => (token.startsWith(prefix) ? mine : token));
  }
  return newConf.replace(KCMD_LINE, `KCMD="${tokens.join(' ')}"${match[2] ?? ''}`);
}
