/**
 * The card doctor: everything a person needs to know about a card, and the loader's exact decision,
 * computed by the same shared boot plan the loader runs (inspect-images.ts); whether BIOS and UEFI
 * computers start it, and whether its two boot menus (/syslinux.cfg, EFI/BOOT/syslinux.cfg) agree. A card
 * whose default label starts RUNNIX (a real AstLinux card) is predicted by RUNNIX's rules instead
 * (runnix-side.ts). Reads only; never writes.
 */
import {
  type BootConfigJudgement,
  bootlessJudgement,
  judgeBootConfig,
} from '../../../shared/boot-config-judge.js';
import { defaultEntry } from '../../../shared/boot-menu.js';
import { readBootMenu } from '../../../shared/boot-menu-read.js';
import { parseLoaderOptions } from '../../../shared/loader-config.js';
import { parseSourceList } from '../../../shared/remote-source.js';
import type { SignaturePolicy } from '../../../shared/signed-images.js';
import type { BlockDevice } from '../block/block-device.js';
import { uncachedView } from '../block/uncached-view.js';
import { FatError } from '../fat/fat-error.js';
import type { FatStat, FatVolume, VolumeProblem } from '../fat/fat-volume.js';
import type { SyslinuxBinaries } from '../syslinux/binaries.js';
import { inspectSyslinux } from '../syslinux/inspect.js';
import { CARD_FILES } from './assets.js';
import { type AstlinuxPartition, readAstlinuxPartitions } from './astlinux-partitions.js';
import { CardError } from './card-error.js';
import { type CardListing, OS_FOLDER, readCardListing, readSmallText } from './card-listing.js';
import { openCardVolume } from './card-volume.js';
import { diagnoseEfi, type EfiDiagnosis, type EfiState, menuBoots, readEfiState } from './efi-files.js';
import { readExt2Summary } from './ext2-format.js';
import { type InspectedImage, inspectImages, sha1OnCard } from './inspect-images.js';
import { defaultLabel, infoFileFor } from './loader-files.js';
import type { ProgressListener } from './progress.js';
import { readVer } from './releases-on-card.js';
import { RUNNIX_KERNEL, type RunnixReport, readRunnixSide, runnixEntry } from './runnix-side.js';
import { finalNameOf } from './temporary-files.js';

export type { AstlinuxPartition } from './astlinux-partitions.js';
export type {
  ChecksumSource,
  ChecksumState,
  ImageSignature,
  InspectedImage,
} from './inspect-images.js';
export type { RunnixReport } from './runnix-side.js';

export interface CardProblem {
  code: string;
  message: string;
}

/** The card's UEFI side, EFI/BOOT/, as found. */
export interface EfiReport {
  /** The boot program UEFI firmware starts, as the card names it (`EFI/BOOT/BOOTX64.EFI`); null: none. */
  program: string | null;
  /** SYSLINUX's version when that program is syslinux.efi (ours, or another build such as RUNNIX's). */
  syslinuxVersion: string | null;
  ldlinuxE64: boolean;
  /** The program pair is byte for byte the build this app ships; null when no build was given to compare. */
  shipped: boolean | null;
  /** EFI/BOOT/syslinux.cfg against /syslinux.cfg. */
  config: 'same' | 'differs' | 'missing';
  /** How the two menus would boot differently, one line each. */
  differences: string[];
}

export interface CardReport {
  target: string;
  /** False for an empty or foreign drive: most other fields are then empty. */
  astlinux: boolean;
  /**
   * What the card's default label starts: astcard's loader, RUNNIX (a real AstLinux card), or nothing
   * either would be (null).
   */
  bootLoader: 'astcard' | 'runnix' | null;
  layout: 'mbr' | 'superfloppy' | 'none';
  filesystem: string | null;
  label: string | null;
  serial: string | null;
  size: number;
  free: number | null;
  syslinux: { version: string | null; bootable: boolean } | null;
  /** Whether a BIOS computer (SYSLINUX) and a UEFI computer (syslinux.efi) would start this card's loader. */
  firmware: { bios: boolean; uefi: boolean };
  /** The UEFI side; null when the card was not read that far (not an AstLinux card). */
  efi: EfiReport | null;
  loader: { present: boolean; version: string | null; appVersion: string | null };
  /** RUNNIX, when a label of the card starts it (the default one on a RUNNIX card). */
  runnix: RunnixReport | null;
  images: InspectedImage[];
  /**
   * What the card boots when nobody chooses: `by` the loader that decides. `verified`: its checksum was
   * computed here and matched.
   */
  boot: { image: string; version: string | null; verified: boolean; by: 'astcard' | 'runnix' } | null;
  /** The loader's console lines for this card, in order (RUNNIX's reasoning on a RUNNIX card). */
  bootLines: string[];
  /** The card's policy for signed images and how many keys it trusts (policy `off`: signatures play no part). */
  signatures: { policy: SignaturePolicy; keys: number };
  /** Partitions beside the FAT one: AstLinux's ASTKD keydisk and ASTURW writable layer, or others. */
  partitions: AstlinuxPartition[];
  pin: string | null;
  /**
   * The release a revert goes back to: the one os/Xver names (what the card ran before its last upgrade),
   * when its `.run` is on the card and it is not what boots now. Null: nothing to go back to.
   */
  revert: { to: string } | null;
  /**
   * Network sources the loader tries before (or instead of) the card's images, from the booting label's
   * options; null when there are none. `sources` are the URLs in order.
   */
  network: { sources: string[]; cardFallback: boolean; ip: string | null } | null;
  /**
   * `location`: `card:/kd.img`, a partition (`partition 3 (ASTKD)`), or where the loader is told to look.
   * `label` is the ext2 label of a kd.img on the card (ASTKD), null when it is elsewhere or unreadable.
   */
  keydisk: { present: boolean; location: string | null; size: number | null; label?: string | null };
  problems: CardProblem[];
  /**
   * Damage to the FAT volume that no cut of astcard's own leaves (crossed files, a file running into free
   * space…): every change is refused until a repair. Null: the check found none. `complete` is false when
   * the damage stopped inspect from reading the card to the end: then images, loader and boot are
   * unknown, not absent.
   */
  damage: { problems: VolumeDamage[]; complete: boolean } | null;
  quick: boolean;
}

/** One thing wrong with the volume, as the check words it: what is wrong, and what a repair does. */
export interface VolumeDamage {
  code: string;
  message: string;
  fix: string;
}

export interface InspectOptions {
  /** Skip hashing: the boot prediction is then "if its checksum matches". */
  quick?: boolean;
  /** The app's own loader version, to say when the card's is older. */
  appLoaderVersion?: string | null;
  knownSyslinuxBuilds?: SyslinuxBinaries[];
  onProgress?: ProgressListener;
  /** Stops the hashing between chunks; inspect only reads, so there is nothing to leave consistent. */
  signal?: AbortSignal;
}

export async function inspectCard(disk: BlockDevice, options: InspectOptions = {}): Promise<CardReport> {
  const report: CardReport = {
    target: disk.name,
    astlinux: false,
    bootLoader: null,
    layout: 'none',
    filesystem: null,
    label: null,
    serial: null,
    size: disk.size,
    free: null,
    syslinux: null,
    firmware: { bios: false, uefi: false },
    efi: null,
    loader: { present: false, version: null, appVersion: options.appLoaderVersion ?? null },
    runnix: null,
    images: [],
    boot: null,
    bootLines: [],
    signatures: { policy: 'off', keys: 0 },
    partitions: [],
    pin: null,
    revert: null,
    network: null,
    keydisk: { present: false, location: null, size: null },
    problems: [],
    damage: null,
    quick: options.quick ?? false,
  };
  const problem = (code: string, message: string) => report.problems.push({ code, message });

  // A verdict must come from what the card holds: past the OS cache on a drive.
  const source = uncachedView(disk);
  let card: Awaited<ReturnType<typeof openCardVolume>>;
  try {
    card = await openCardVolume(source, { readOnly: true });
  } catch (error) {
    if (error instanceof CardError && error.code === 'not-a-card') {
      problem('not-an-astlinux-card', `Not an AstLinux card: ${error.message} Prepare it to use it.`);
      return report;
    }
    throw error;
  }
  const { volume } = card;
  try {
    report.layout = card.layout;
    // The check every write makes first (card-volume.ts), here read-only: damage astcard did not cause
    // itself refuses every change until a repair, so the user hears it before trying one. What a cut of
    // astcard's own left is not said: the next change puts it right by itself.
    const damage = (await volume.check()).filter((found) => found.severity === 'damaged');
    if (damage.length > 0) {
      report.damage = {
        problems: damage.map(({ code, message, fix }) => ({ code, message, fix })),
        complete: true,
      };
      problem('volume-damaged', damagedSentence(damage, disk.name));
    }
    try {
      const info = await volume.volumeInfo();
      report.filesystem = `FAT${info.type}`;
      report.label = info.label;
      report.serial = info.serial;
      report.free = await volume.freeBytes();

      const listing = await readCardListing(volume);
      const { root } = listing;
      const byName = (name: string) => root.find((entry) => entry.name.toLowerCase() === name.toLowerCase());

      const configEntry = byName(CARD_FILES.config);
      const configText = configEntry ? await readConfigText(volume, configEntry) : null;
      // What SYSLINUX itself makes of the file: the menu model below reads what an editor shows.
      const judged = !configEntry
        ? null
        : configText !== null
          ? judgeBootConfig(configText)
          : cannotJudge(
              configEntry.size > MAX_CONFIG_BYTES
                ? 'syslinux.cfg is larger than 16 MiB, more than astcard reads, so it cannot tell what SYSLINUX starts.'
                : 'syslinux.cfg cannot be read, so astcard cannot tell what SYSLINUX starts.',
            );
      const bios = configText === null ? null : readBootMenu(configText);
      const runnixStart = runnixEntry(bios);
      // The loader is whatever the default label boots: slot A after prepare, either slot after an update.
      const booted = configText === null ? null : defaultLabel(configText);
      const loaderOptions = parseLoaderOptions(booted?.append ?? '').options;
      report.pin = loaderOptions.pin;
      if (loaderOptions.sources.length > 0) {
        const list = parseSourceList(loaderOptions.sources.join(','));
        if (list.ok) {
          const sources: string[] = [];
          for (const entry of list.entries) if (entry.kind === 'remote') sources.push(entry.source.url);
          report.network = { sources, cardFallback: list.cardAllowed, ip: loaderOptions.ip };
        } else {
          problem(
            'bad-network-sources',
            `The card's network sources cannot all be used (${list.reason}). Set them again in Network boot, or with astcard source set.`,
          );
        }
      }

      // The menu model reads an initrd given as `initrd=` in APPEND, as RUNNIX's own syslinux.cfg gives it.
      const bootEntry = bios ? defaultEntry(bios) : null;
      const kernel = bootEntry?.kernel || booted?.kernel || CARD_FILES.kernel;
      const initrd = bootEntry?.initrd?.split(',')[0] || booted?.initrd || CARD_FILES.initramfs;
      const hasKernel = byName(kernel) !== undefined;
      const hasInitramfs = byName(initrd) !== undefined;
      report.loader.present = hasKernel && hasInitramfs && configEntry !== undefined;
      const infoFile = byName(infoFileFor(initrd));
      report.loader.version = loaderVersion(
        infoFile ? await readSmallText(volume, infoFile.name, infoFile.size) : null,
      );
      if (report.loader.present) report.bootLoader = runnixStart?.isDefault ? 'runnix' : 'astcard';

      const imageFiles = root.filter((entry) => /^astlinux-.*\.img$/i.test(entry.name));
      const hasReleases = (listing.os ?? []).some((entry) => /^astlinux-.*\.run$/i.test(entry.name));
      report.astlinux = report.loader.present || imageFiles.length > 0 || hasReleases;
      if (!report.astlinux) {
        problem(
          'not-an-astlinux-card',
          'Not an AstLinux card: it has a FAT volume but no AstLinux loader or images. Prepare it to use it.',
        );
        return report;
      }

      const syslinux = await inspectSyslinux(
        disk,
        options.knownSyslinuxBuilds ? { knownBuilds: options.knownSyslinuxBuilds } : {},
      );
      report.syslinux = { version: syslinux.version ?? null, bootable: syslinux.bootable };
      for (const found of syslinux.problems)
        problem(`syslinux-${found.code}`, `${found.message} Update the loader to repair it.`);

      const efiState = await readEfiState(
        volume,
        (options.knownSyslinuxBuilds ?? []).map((build) => build.efi),
      );
      const efi = diagnoseEfi(efiState, bios);
      report.efi = efiReportOf(efiState, efi);
      report.firmware = {
        bios: syslinux.bootable && (await menuBoots(volume, bios)),
        uefi: efiState.syslinuxVersion !== null && efiState.ldlinuxE64 && (await menuBoots(volume, efi.menu)),
      };

      const notStarted = report.loader.present && judged ? await whySyslinuxStops(volume, judged) : null;
      report.firmware.bios = report.firmware.bios && notStarted === null;
      if (efiState.configText === null) report.firmware.uefi = report.firmware.uefi && notStarted === null;
      else if (!judgeBootConfig(efiState.configText, 'EFI/BOOT').boots) report.firmware.uefi = false;

      if (!report.loader.present) {
        problem(
          'loader-missing',
          'The AstLinux loader is missing from this card, so it cannot start. Update the loader.',
        );
      } else if (notStarted !== null) {
        problem(
          LOADER_NOT_STARTED,
          `The loader is on this card, but SYSLINUX would not start it: ${notStarted} Update the loader to write a new syslinux.cfg.`,
        );
      } else if (
        report.bootLoader === 'astcard' &&
        report.loader.version &&
        options.appLoaderVersion &&
        report.loader.version !== options.appLoaderVersion
      ) {
        problem(
          'loader-outdated',
          `The card's loader is version ${report.loader.version}; this app has ${options.appLoaderVersion}. Update the loader.`,
        );
      }

      explainEfi(efi, problem);

      const fatIsPartition1 = card.layout === 'mbr' && card.partition?.index === 0;
      const images = await inspectImages(volume, card.device, listing, {
        quick: report.quick,
        pin: loaderOptions.pin,
        releasesCannotStart: fatIsPartition1
          ? null
          : card.layout === 'superfloppy'
            ? 'a superfloppy (no partition table)'
            : `partition ${(card.partition?.index ?? 0) + 1}`,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      report.images = images.images;
      report.signatures = { policy: images.signatures.policy, keys: images.signatures.keys };
      for (const note of images.signatures.notes)
        problem('key-unusable', `${note}. Remove or replace that key.`);
      report.bootLines = images.bootLines;
      report.boot = images.boot ? { ...images.boot, by: 'astcard' } : null;

      if (runnixStart && byName(RUNNIX_KERNEL)) {
        const sha1s = { ...images.sha1s };
        report.runnix = await readRunnixSide(volume, listing, bios, sha1s);
        // RUNNIX checks what it boots against its .sha1 even where astcard's plan used a signed SHA-256.
        const chosen = report.runnix?.prediction.image;
        const file = chosen
          ? listing.files.find((entry) => entry.name.toLowerCase() === `${OS_FOLDER}/${chosen}`.toLowerCase())
          : undefined;
        if (!report.quick && file && sha1s[file.name] === undefined) {
          sha1s[file.name] = await sha1OnCard(volume, file.name, file.size, options);
          report.runnix = await readRunnixSide(volume, listing, bios, sha1s);
        }
      }
      if (report.runnix?.isDefault) predictByRunnix(report, report.runnix, listing);
      if (notStarted !== null) {
        // Neither loader runs, so neither one's choice is what happens.
        report.boot = null;
        report.bootLines = [];
        for (const image of report.images) image.boots = false;
      }
      explainImages(report, problem, notStarted !== null);
      explainLeftovers(listing, problem);
      if (report.runnix) explainRunnix(report.runnix, problem);

      report.revert = await revertTarget(volume, listing, report.boot);
      report.partitions = await readAstlinuxPartitions(source, card.partition);
      const keydisk = byName(CARD_FILES.keydisk);
      const astkd = report.partitions.find((partition) => partition.role === 'keydisk');
      if (loaderOptions.keydisk && !/^card:\/?kd\.img$/i.test(loaderOptions.keydisk)) {
        report.keydisk = { present: true, location: loaderOptions.keydisk, size: null };
      } else if (keydisk) {
        // A keydisk the damage runs through cannot be read; the volume-damaged problem says so already.
        const summary = await keydiskSummary(volume, keydisk).catch((error: unknown) => {
          if (report.damage && error instanceof FatError) return undefined;
          throw error;
        });
        report.keydisk = {
          present: true,
          location: `card:/${keydisk.name}`,
          size: keydisk.size,
          label: summary?.label ?? null,
        };
        if (summary === null) {
          problem(
            'keydisk-damaged',
            `${keydisk.name} on this card is not a keydisk (no ext2 filesystem in it): AstLinux will not find its keys. Import a good keydisk.`,
          );
        }
      } else if (astkd) {
        report.keydisk = {
          present: true,
          location: `partition ${astkd.number} (${astkd.label})`,
          size: astkd.size,
          label: astkd.label,
        };
      }
      return report;
    } catch (error) {
      // Reading ran into the damage the check found: what was read so far cannot be trusted to be the
      // whole story, so the report keeps only the volume and its damage (see cutShort).
      if (report.damage && error instanceof FatError) {
        cutShort(report);
        return report;
      }
      throw error;
    }
  } finally {
    await volume.close();
  }
}

/** The volume-damaged problem: the first thing found, how many more, and the way out. */
function damagedSentence(damage: VolumeProblem[], target: string): string {
  const [first] = damage;
  const more =
    damage.length > 1 ? ` (and ${damage.length - 1} more problem${damage.length > 2 ? 's' : ''})` : '';
  return `The card's file system is damaged: ${first?.message ?? ''}${more} Nothing can be changed on this card until it is repaired: use Repair, or run "astcard repair ${target}".`;
}

/**
 * A report on a card whose damage stopped inspect partway: the images, the loader and the boot it had
 * read so far may be missing pieces, so none of it is claimed. Only the volume, its damage and the
 * volume-damaged problem stay; `damage.complete` says the rest is unknown, not empty.
 */
function cutShort(report: CardReport): void {
  if (report.damage) report.damage.complete = false;
  report.bootLoader = null;
  report.syslinux = null;
  report.firmware = { bios: false, uefi: false };
  report.efi = null;
  report.loader = { present: false, version: null, appVersion: report.loader.appVersion };
  report.runnix = null;
  report.images = [];
  report.boot = null;
  report.bootLines = [];
  report.partitions = [];
  report.pin = null;
  report.revert = null;
  report.network = null;
  report.keydisk = { present: false, location: null, size: null };
  report.problems = report.problems.filter((found) => found.code === 'volume-damaged');
}

function efiReportOf(state: EfiState, diagnosis: EfiDiagnosis): EfiReport {
  return {
    program: state.program,
    syslinuxVersion: state.syslinuxVersion,
    ldlinuxE64: state.ldlinuxE64,
    shipped: state.shipped,
    config: state.configText === null ? 'missing' : diagnosis.differences.length > 0 ? 'differs' : 'same',
    differences: diagnosis.differences,
  };
}

/** One problem for the UEFI side, the one that matters most: no program, then its pieces, then the menu. */
function explainEfi(diagnosis: EfiDiagnosis, problem: (code: string, message: string) => void): void {
  const found = diagnosis.problems;
  if (found.includes('uefi-no-boot-program')) {
    problem(
      'uefi-no-boot-program',
      'This card does not start on UEFI computers: it has no EFI boot files (EFI/BOOT/BOOTX64.EFI). Update the loader to add them.',
    );
  } else if (found.includes('uefi-other-boot-program')) {
    problem(
      'uefi-other-boot-program',
      'On UEFI computers this card starts another boot program than SYSLINUX (EFI/BOOT/BOOTX64.EFI), not the AstLinux loader. Update the loader to replace it.',
    );
  } else if (found.includes('uefi-no-ldlinux-e64')) {
    problem(
      'uefi-no-ldlinux-e64',
      'This card does not start on UEFI computers: EFI/BOOT/ldlinux.e64, which SYSLINUX needs beside BOOTX64.EFI, is missing. Update the loader to repair it.',
    );
  } else if (found.includes('uefi-config-missing')) {
    problem(
      'uefi-config-missing',
      'On UEFI computers this card boots its BIOS menu, where the previous loader cannot be chosen: EFI/BOOT/syslinux.cfg is missing. Update the loader to add it.',
    );
  }
  if (found.includes('uefi-config-differs')) {
    problem(
      'uefi-config-differs',
      `On UEFI computers this card would boot differently than on BIOS (${diagnosis.differences[0]}). Update the loader to bring its two boot menus in step.`,
    );
  }
}

/** The ext2 superblock of the card's kd.img, read from its first chunk; null when it is not ext2. */
async function revertTarget(
  volume: FatVolume,
  listing: CardListing,
  boot: CardReport['boot'],
): Promise<CardReport['revert']> {
  // A text file of one line; anything larger is no Xver AstLinux wrote, and is not read whole.
  const xver = await volume.stat(`${OS_FOLDER}/Xver`).catch(() => null);
  if (!xver || xver.isDirectory || xver.size > 4096) return null;
  const previous = await readVer(volume, 'Xver');
  if (previous === null) return null;
  const run = `${OS_FOLDER}/${previous}.run`.toLowerCase();
  if (!listing.files.some((file) => file.name.toLowerCase() === run)) return null;
  if (boot && boot.image.toLowerCase() === run) return null;
  return { to: previous };
}

async function keydiskSummary(volume: FatVolume, entry: FatStat) {
  for await (const chunk of volume.chunks(entry.name)) {
    const summary = readExt2Summary(chunk);
    return summary && summary.blocks * summary.blockSize <= entry.size ? summary : null;
  }
  return null;
}

/** What RUNNIX boots becomes the card's boot; its reasoning becomes the card's boot lines. */
function predictByRunnix(report: CardReport, runnix: RunnixReport, listing: CardListing): void {
  const prediction = runnix.prediction;
  report.bootLines = prediction.lines.slice();
  report.boot = null;
  for (const image of report.images) image.boots = false;
  if (!prediction.starts || prediction.image === null) return;
  const wanted = `${OS_FOLDER}/${prediction.image}`.toLowerCase();
  const listed = report.images.find((image) => image.name.toLowerCase() === wanted);
  const file = listing.files.find((entry) => entry.name.toLowerCase() === wanted);
  if (!file) return;
  if (listed) listed.boots = true;
  report.boot = {
    image: file.name,
    version: listed?.version ?? null,
    verified: prediction.checksum === 'ok',
    by: 'runnix',
  };
}

function explainRunnix(runnix: RunnixReport, problem: (code: string, message: string) => void): void {
  if (!runnix.isDefault) return;
  const prediction = runnix.prediction;
  const image = prediction.image ? `os/${prediction.image}` : null;
  if (!prediction.recognised) {
    problem(
      'runnix-no-astflag',
      'RUNNIX will not recognise this card: os/astflag is missing, so it boots nothing. Add a release again to put it back.',
    );
  } else if (!prediction.starts) {
    problem(
      'runnix-cannot-start',
      `${prediction.lines.slice(1).join(' ') || prediction.lines[0]} Add a good release, or update the loader so astcard's loader starts the newest release that verifies.`,
    );
  } else if (
    prediction.checksum === 'mismatch' ||
    prediction.checksum === 'missing' ||
    prediction.checksum === 'malformed'
  ) {
    const state =
      prediction.checksum === 'mismatch'
        ? 'does not match its checksum (it is damaged)'
        : prediction.checksum === 'missing'
          ? 'has no checksum file'
          : 'has a damaged checksum file';
    problem(
      'runnix-boots-unverified',
      `RUNNIX boots ${image} although it ${state}: RUNNIX does not refuse an image that fails its check. Add that release again, switch back with Revert, or update the loader so astcard's loader boots only releases that verify.`,
    );
  }
  if (prediction.isNewest === false && prediction.newest) {
    problem(
      'runnix-not-newest',
      `This card boots ${image}, not the newest release on it (os/${prediction.newest}). If that is not what you want, switch with Revert or add the release again; astcard's loader would boot the newest release that verifies.`,
    );
  }
}

function explainImages(
  report: CardReport,
  problem: (code: string, message: string) => void,
  loaderNotStarted: boolean,
): void {
  // RUNNIX starts what os/ver names whatever its checksum says: "will not boot" would be untrue there.
  const wontBoot = report.runnix?.isDefault
    ? "astcard's loader would not boot it (RUNNIX, which starts this card, does not refuse it)"
    : 'it will not boot';
  for (const image of report.images) {
    const name = image.name;
    const what = image.kind === 'release' ? 'release' : 'image';
    if (image.verdict === 'mismatch') {
      problem(
        'image-damaged',
        `${name} does not match its checksum: it is damaged and ${wontBoot}. Remove it and add it again.`,
      );
    } else if (image.verdict === 'missing-sidecar') {
      problem(
        'sidecar-missing',
        `${name} has no checksum file (an interrupted copy?), so ${wontBoot}. Add it again.`,
      );
    } else if (image.verdict === 'malformed-sidecar') {
      problem(
        'sidecar-malformed',
        `The checksum file of ${name} is damaged, so ${wontBoot}. Add the ${what} again.`,
      );
    } else if (image.verdict === 'zero-length') {
      problem('image-empty', `${name} is empty and will not boot. Remove it.`);
    } else if (image.verdict === 'not-a-version') {
      problem(
        'image-name',
        `${name} has no version the loader can read, so it will never boot. Rename or remove it.`,
      );
    } else if (image.verdict === 'mount-failed') {
      problem(
        'image-not-bootable',
        `${name} matches its checksum but is not a filesystem the loader can open, so it will not boot. Remove it; check that the file is an AstLinux image.`,
      );
    } else if (image.verdict === 'no-kernel') {
      problem(
        'image-has-no-kernel',
        `${name} matches its checksum but holds no kernel (/boot/bzImage), so it will not boot. Remove it; check that the file is an AstLinux image.`,
      );
    } else if (image.verdict === 'incomplete-release') {
      problem(
        'release-incomplete',
        `${stripLine(image.line, name)}: astcard's loader will not start ${name}. Add the release again from its archive.`,
      );
    } else if (image.verdict === 'not-partition-1') {
      problem(
        'release-not-partition-1',
        `${name} cannot start from this card: AstLinux finds its card only on partition 1. Prepare the card again to hold releases.`,
      );
    } else if (image.verdict === 'unsigned') {
      problem(
        'image-unsigned',
        `${name} is not signed by a key this card trusts, and the card boots only signed images. Sign it, or add a signed copy.`,
      );
    } else if (image.verdict === 'bad-signature') {
      problem(
        'image-bad-signature',
        `The signature for ${name} does not check out: the signed list was changed after signing, so ${name} will not boot. Add the ${what} again with its signed list.`,
      );
    } else if (image.verdict === 'unknown-key') {
      problem(
        'image-unknown-key',
        `${name} is signed by a key this card does not trust, and the card boots only signed images. Trust that key, or add a copy signed by a trusted key.`,
      );
    }
  }
  if (report.images.length === 0) {
    problem('no-images', 'There is no AstLinux image on this card. Add one.');
  } else if (report.boot === null && report.bootLoader !== 'runnix' && !loaderNotStarted) {
    problem(
      'nothing-boots',
      'No image on this card can boot: the loader would stop at a rescue shell. Add a good image.',
    );
  }
}

/** The problem code of a card whose loader files are there but whose syslinux.cfg starts none of them. */
export const LOADER_NOT_STARTED = 'loader-not-started';

/**
 * SYSLINUX reads the whole file however large (the 64 KiB limit of other small files is the loader's, not
 * SYSLINUX's); beyond this a file is no boot menu anyone wrote, and is not worth holding in memory.
 */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** A config astcard could not read: no boot predicted, for all it can tell. */
function cannotJudge(message: string): BootConfigJudgement {
  return bootlessJudgement([{ code: 'unreadable-line', message }]);
}

async function readConfigText(volume: FatVolume, entry: FatStat): Promise<string | null> {
  if (entry.size > MAX_CONFIG_BYTES) return null;
  return readSmallText(volume, entry.name, entry.size, MAX_CONFIG_BYTES);
}

/** Why SYSLINUX stops before any kernel (one sentence), or null when it starts one the card holds. */
async function whySyslinuxStops(volume: FatVolume, judged: BootConfigJudgement): Promise<string | null> {
  const first = judged.problems[0];
  if (first) return first.message;
  if (!judged.boots) return 'syslinux.cfg names no kernel to start.';
  for (const path of judged.needs) {
    const found = await volume.stat(`/${path}`).then(
      (stat) => stat.isFile,
      () => false,
    );
    if (!found) return `syslinux.cfg starts ${path}, which is not on the card.`;
  }
  return null;
}

/**
 * Temporary files a cut or a crash left (`AstLinux-….img.part`, `kd.img.part`, `syslinux.new`): never
 * booted or used, but taking space, and the user should know a copy did not finish. Each fix is the
 * command that writes that file again, since it removes its own leftover first.
 */
function explainLeftovers(listing: CardListing, problem: (code: string, message: string) => void): void {
  for (const file of listing.files) {
    const final = finalNameOf(file.name.replace(/^.*\//, ''));
    if (final === null) continue;
    const base = final.toLowerCase();
    const fix =
      base === CARD_FILES.config
        ? 'Update the loader (or set the network sources again) to finish the change; that removes it.'
        : base === CARD_FILES.keydisk.toLowerCase()
          ? 'Import the keydisk again to finish the copy; that removes it.'
          : /^astlinux-/i.test(base)
            ? `Add ${final} again to finish the copy; that removes it.`
            : 'Delete it from the card if you do not know what it is.';
    problem(
      'leftover-temporary-file',
      `${file.name} (${formatSize(file.size)}) is left over from a copy that was interrupted: it is never used and takes up space. ${fix}`,
    );
  }
}

function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The plan's reason from its console line (`name: reason, skipping`). */
function stripLine(line: string, name: string): string {
  return line.replace(`${name}: `, '').replace(/, skipping$/, '');
}

function loaderVersion(infoText: string | null): string | null {
  if (infoText === null) return null;
  try {
    const info = JSON.parse(infoText) as { version?: unknown };
    return typeof info.version === 'string' ? info.version : null;
  } catch {
    return null;
  }
}
