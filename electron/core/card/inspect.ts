/**
 * The card doctor: everything a person needs to know about a card, and the loader's exact decision,
 * computed by the same shared boot plan the loader runs; whether BIOS and UEFI computers start it, and
 * whether its two boot menus (/syslinux.cfg, EFI/BOOT/syslinux.cfg) agree. Reads only; never writes.
 */
import { readBootMenu } from '../../../shared/boot-menu-read.js';
import { decideBoot, planBoot, type Verdict } from '../../../shared/boot-plan.js';
import { sidecarAlgorithm } from '../../../shared/checksums.js';
import { parseLoaderOptions } from '../../../shared/loader-config.js';
import { parseSourceList } from '../../../shared/remote-source.js';
import { formatVersion } from '../../../shared/versions.js';
import type { BlockDevice } from '../block/block-device.js';
import { uncachedView } from '../block/uncached-view.js';
import { FatError } from '../fat/fat-error.js';
import type { FatStat, FatVolume } from '../fat/fat-volume.js';
import type { SyslinuxBinaries } from '../syslinux/binaries.js';
import { inspectSyslinux } from '../syslinux/inspect.js';
import { CARD_FILES } from './assets.js';
import { CardError } from './card-error.js';
import { openCardVolume } from './card-volume.js';
import { diagnoseEfi, type EfiDiagnosis, type EfiState, menuBoots, readEfiState } from './efi-files.js';
import { readExt2Summary } from './ext2-format.js';
import { digestChunks } from './hash.js';
import { defaultLabel, infoFileFor } from './loader-files.js';
import { byteProgress, cancellableChunks, type ProgressListener } from './progress.js';

/** The checksum state of an image as the CLI's --json and the app show it. */
export type ChecksumState = 'ok' | 'mismatch' | 'missing' | 'malformed' | 'unverified';

export interface InspectedImage {
  name: string;
  version: string | null;
  size: number;
  checksum: ChecksumState;
  /** The boot plan's own verdict, finer than `checksum` (zero-length, not-a-version…). */
  verdict: Verdict;
  /** The loader's console line for this image. */
  line: string;
  boots: boolean;
}

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
  images: InspectedImage[];
  boot: { image: string; version: string | null; verified: boolean } | null;
  /** The loader's console lines for this card, in order. */
  bootLines: string[];
  pin: string | null;
  /**
   * Network sources the loader tries before (or instead of) the card's images, from the booting label's
   * options; null when there are none. `sources` are the URLs in order.
   */
  network: { sources: string[]; cardFallback: boolean; ip: string | null } | null;
  /** `label` is the ext2 label of a kd.img on the card (ASTKD), null when it is elsewhere or unreadable. */
  keydisk: { present: boolean; location: string | null; size: number | null; label?: string | null };
  problems: CardProblem[];
  quick: boolean;
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

const MAX_SMALL_FILE = 64 * 1024;

export async function inspectCard(disk: BlockDevice, options: InspectOptions = {}): Promise<CardReport> {
  const report: CardReport = {
    target: disk.name,
    astlinux: false,
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
    images: [],
    boot: null,
    bootLines: [],
    pin: null,
    network: null,
    keydisk: { present: false, location: null, size: null },
    problems: [],
    quick: options.quick ?? false,
  };
  const problem = (code: string, message: string) => report.problems.push({ code, message });

  let card: Awaited<ReturnType<typeof openCardVolume>>;
  try {
    // A verdict must come from what the card holds: past the OS cache on a drive.
    card = await openCardVolume(uncachedView(disk), { readOnly: true });
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
    const info = await volume.volumeInfo();
    report.filesystem = `FAT${info.type}`;
    report.label = info.label;
    report.serial = info.serial;
    report.free = await volume.freeBytes();

    const root = (await volume.readdir('/')).filter((entry) => entry.isFile);
    const byName = (name: string) => root.find((entry) => entry.name.toLowerCase() === name.toLowerCase());

    const configText = await readSmallText(volume, byName(CARD_FILES.config));
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

    const kernel = booted?.kernel ?? CARD_FILES.kernel;
    const initrd = booted?.initrd ?? CARD_FILES.initramfs;
    const hasKernel = byName(kernel) !== undefined;
    const hasInitramfs = byName(initrd) !== undefined;
    report.loader.present = hasKernel && hasInitramfs && configText !== null;
    report.loader.version = loaderVersion(await readSmallText(volume, byName(infoFileFor(initrd))));

    const imageFiles = root.filter((entry) => /^astlinux-.*\.img$/i.test(entry.name));
    report.astlinux = report.loader.present || imageFiles.length > 0;
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

    const bios = configText === null ? null : readBootMenu(configText);
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

    if (!report.loader.present) {
      problem(
        'loader-missing',
        'The AstLinux loader is missing from this card, so it cannot start. Update the loader.',
      );
    } else if (
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

    const sidecars: { [name: string]: string } = {};
    for (const entry of root) {
      if (sidecarAlgorithm(entry.name) === null) continue;
      const text = await readSmallText(volume, entry);
      if (text !== null) sidecars[entry.name] = text;
    }
    const plan = planBoot({
      files: root.map((entry) => ({ name: entry.name, size: entry.size })),
      sidecars,
      pin: loaderOptions.pin,
    });

    const digests: { [name: string]: string } = {};
    if (!report.quick) {
      for (const candidate of plan.candidates) {
        if (!candidate.expected) continue;
        const hashed = await digestChunks(
          cancellableChunks(
            volume.chunks(candidate.name),
            options.signal,
            () => new CardError('cancelled', 'Checking the card was cancelled.'),
          ),
          candidate.expected.algo,
          byteProgress(options.onProgress, 'hash', candidate.size, candidate.name),
        );
        digests[candidate.name] = hashed.digest;
      }
    }
    const decision = decideBoot(plan, digests);
    report.bootLines = decision.lines.slice();
    for (const [index, candidate] of plan.candidates.entries()) {
      const verdict = decision.verdicts[index];
      if (!verdict) continue;
      report.images.push({
        name: candidate.name,
        version: candidate.version ? formatVersion(candidate.version) : null,
        size: candidate.size,
        checksum: checksumState(verdict.verdict),
        verdict: verdict.verdict,
        line: verdict.line,
        boots: false,
      });
    }

    let bootName = decision.boot;
    let verified = true;
    if (report.quick) {
      // Without hashing, the loader would boot the first candidate whose checksum file is usable.
      bootName = plan.candidates.find((candidate) => candidate.rejection === null)?.name ?? null;
      verified = false;
    }
    const booting = report.images.find((image) => image.name === bootName);
    if (booting) {
      booting.boots = true;
      report.boot = { image: booting.name, version: booting.version, verified };
    }
    explainImages(report, problem);

    const keydisk = byName(CARD_FILES.keydisk);
    if (loaderOptions.keydisk && !/^card:\/?kd\.img$/i.test(loaderOptions.keydisk)) {
      report.keydisk = { present: true, location: loaderOptions.keydisk, size: null };
    } else if (keydisk) {
      const summary = await keydiskSummary(volume, keydisk);
      report.keydisk = {
        present: true,
        location: `card:/${keydisk.name}`,
        size: keydisk.size,
        label: summary?.label ?? null,
      };
      if (!summary) {
        problem(
          'keydisk-damaged',
          `${keydisk.name} on this card is not a keydisk (no ext2 filesystem in it): AstLinux will not find its keys. Import a good keydisk.`,
        );
      }
    }
    return report;
  } finally {
    await volume.close();
  }
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
async function keydiskSummary(volume: FatVolume, entry: FatStat) {
  for await (const chunk of volume.chunks(entry.name)) {
    const summary = readExt2Summary(chunk);
    return summary && summary.blocks * summary.blockSize <= entry.size ? summary : null;
  }
  return null;
}

function explainImages(report: CardReport, problem: (code: string, message: string) => void): void {
  for (const image of report.images) {
    const name = image.name;
    if (image.verdict === 'mismatch') {
      problem(
        'image-damaged',
        `${name} does not match its checksum: it is damaged and will not boot. Remove it and add it again.`,
      );
    } else if (image.verdict === 'missing-sidecar') {
      problem(
        'sidecar-missing',
        `${name} has no checksum file (an interrupted copy?) and will not boot. Add it again.`,
      );
    } else if (image.verdict === 'malformed-sidecar') {
      problem(
        'sidecar-malformed',
        `The checksum file of ${name} is damaged, so ${name} will not boot. Add the image again.`,
      );
    } else if (image.verdict === 'zero-length') {
      problem('image-empty', `${name} is empty and will not boot. Remove it.`);
    } else if (image.verdict === 'not-a-version') {
      problem(
        'image-name',
        `${name} has no version the loader can read, so it will never boot. Rename or remove it.`,
      );
    }
  }
  if (report.images.length === 0) {
    problem('no-images', 'There is no AstLinux image on this card. Add one.');
  } else if (report.boot === null) {
    problem(
      'nothing-boots',
      'No image on this card can boot: the loader would stop at a rescue shell. Add a good image.',
    );
  }
}

function checksumState(verdict: Verdict): ChecksumState {
  switch (verdict) {
    case 'ok':
      return 'ok';
    case 'mismatch':
    case 'zero-length':
      return 'mismatch';
    case 'missing-sidecar':
      return 'missing';
    case 'malformed-sidecar':
      return 'malformed';
    default:
      return 'unverified';
  }
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

async function readSmallText(volume: FatVolume, entry: FatStat | undefined): Promise<string | null> {
  if (!entry || entry.size > MAX_SMALL_FILE) return null;
  try {
    return new TextDecoder().decode(await volume.readFile(entry.name));
  } catch (error) {
    if (error instanceof FatError) return null;
    throw error;
  }
}
