import { createHash } from 'node:crypto';
import type { BlockDevice } from '../block/block-device.js';
import { u32, u64 } from '../block/little-endian.js';
import { isValidAdvCopy } from './adv.js';
import type { SyslinuxBinaries } from './binaries.js';
import { findDword } from './binaries.js';
import { bootSectorFirstSector, hasSyslinuxOemName } from './boot-sector.js';
import { extentsToSectors } from './extents.js';
import { openFatVolumeAccess } from './fat-volume-access.js';
import { LDLINUX_C32, LDLINUX_SYS } from './install.js';
import { locateVolume } from './locate-volume.js';
import { singleActivePartition } from './mbr-boot.js';
import { dwordSum, LDLINUX_MAGIC, type PatchArea, readPatchArea, SECTOR_SIZE } from './patch-area.js';
import { readExtentTable } from './read-extents.js';
import { SyslinuxError } from './syslinux-error.js';
import type { SyslinuxVolumeAccess } from './volume-access.js';

const BPB_HIDDEN_SECTORS = 28;

/** What can be wrong with an installed SYSLINUX. Closed set; each comes with a plain sentence. */
export type SyslinuxProblemCode =
  | 'no-fat-volume'
  | 'no-boot-code'
  | 'no-ldlinux-sys'
  | 'ldlinux-sys-damaged'
  | 'boot-sector-other-build'
  | 'ldlinux-sys-moved'
  | 'adv-damaged'
  | 'no-ldlinux-c32'
  | 'ldlinux-c32-other-build'
  | 'hidden-sectors-mismatch'
  | 'mbr-not-bootable';

export interface SyslinuxProblem {
  code: SyslinuxProblemCode;
  message: string;
}

export interface SyslinuxInspection {
  layout?: 'superfloppy' | 'mbr';
  /** Version from ldlinux.sys's banner, e.g. "6.04". */
  version?: string;
  /** The build-specific value shared by boot sector and ldlinux.sys: LDLINUX_MAGIC xor the build time. */
  instance?: number;
  /** When that SYSLINUX was built (decoded from the instance). */
  buildTime?: Date;
  /** Version of the known build ldlinux.c32 is byte-identical to, if any. */
  ldlinuxC32Version?: string;
  ldlinuxC32Sha256?: string;
  bootSectorHasSyslinux: boolean;
  problems: SyslinuxProblem[];
  /** True when nothing found would stop SYSLINUX from booting. */
  bootable: boolean;
}

export interface InspectSyslinuxOptions {
  openVolume?: (volume: BlockDevice) => Promise<SyslinuxVolumeAccess>;
  /** Builds we ship; ldlinux.c32 is matched against them byte for byte (it carries no version of its own). */
  knownBuilds?: SyslinuxBinaries[];
  partition?: number;
}

/** Reads back what is installed and whether boot sector, ldlinux.sys and ldlinux.c32 belong together. */
export async function inspectSyslinux(
  disk: BlockDevice,
  options: InspectSyslinuxOptions = {},
): Promise<SyslinuxInspection> {
  const report: SyslinuxInspection = { bootSectorHasSyslinux: false, problems: [], bootable: false };
  const problem = (code: SyslinuxProblemCode, message: string) => report.problems.push({ code, message });

  let located: Awaited<ReturnType<typeof locateVolume>>;
  try {
    located = await locateVolume(disk, options.partition);
  } catch (error) {
    if (!(error instanceof SyslinuxError)) throw error;
    problem('no-fat-volume', error.message);
    return report;
  }
  report.layout = located.layout;
  const bootSector = await located.volume.read(0, SECTOR_SIZE);
  report.bootSectorHasSyslinux = hasSyslinuxOemName(bootSector);
  if (!report.bootSectorHasSyslinux)
    problem('no-boot-code', 'The volume boot sector does not start SYSLINUX.');
  const hiddenSectors = u32(bootSector, BPB_HIDDEN_SECTORS);
  if (hiddenSectors !== located.startSector) {
    problem(
      'hidden-sectors-mismatch',
      `The boot sector says the volume starts at sector ${hiddenSectors}, but it starts at ${located.startSector}.`,
    );
  }
  if (located.layout === 'mbr') {
    const mbr = await disk.read(0, SECTOR_SIZE);
    const active = singleActivePartition(mbr);
    if (active !== located.partitionIndex) {
      problem('mbr-not-bootable', 'The SYSLINUX partition is not the one active partition in the MBR.');
    }
    const shipped = options.knownBuilds?.map((build) => build.mbr) ?? [];
    if (shipped.length > 0 && !shipped.some((code) => equalBytes(mbr.subarray(0, code.length), code))) {
      problem('mbr-not-bootable', 'The MBR does not hold the SYSLINUX MBR boot program.');
    }
  }

  // Inspecting only reads: a read-only volume also keeps the directories it has read (PathResolver).
  const fs = await (options.openVolume ?? readOnlyAccess)(located.volume);
  const sys = await fs.readFile(LDLINUX_SYS);
  if (!sys) {
    problem('no-ldlinux-sys', 'ldlinux.sys is missing: the boot code has nothing to load.');
  } else {
    await checkLdlinuxSys(sys, await fs.fileSectors(LDLINUX_SYS), bootSector, report, problem);
  }

  const c32 = await fs.readFile(LDLINUX_C32);
  if (!c32) {
    problem('no-ldlinux-c32', 'ldlinux.c32 is missing: SYSLINUX starts but cannot read its configuration.');
  } else {
    report.ldlinuxC32Sha256 = createHash('sha256').update(c32).digest('hex');
    checkLdlinuxC32(c32, report, options.knownBuilds ?? [], problem);
  }
  report.bootable = report.problems.length === 0;
  return report;
}

function readOnlyAccess(device: BlockDevice): Promise<SyslinuxVolumeAccess> {
  return openFatVolumeAccess(device, { readOnly: true });
}

async function checkLdlinuxSys(
  sys: Uint8Array,
  sectors: number[],
  bootSector: Uint8Array,
  report: SyslinuxInspection,
  problem: (code: SyslinuxProblemCode, message: string) => void,
): Promise<void> {
  let area: PatchArea;
  try {
    area = readPatchArea(sys);
  } catch {
    problem('ldlinux-sys-damaged', 'ldlinux.sys is not a SYSLINUX loader.');
    return;
  }
  const banner = /SYSLINUX (\d+\.\d+)/.exec(String.fromCharCode(...sys.subarray(0, area.offset)));
  if (banner?.[1]) report.version = banner[1];
  report.instance = area.instance;
  report.buildTime = new Date(((area.instance ^ LDLINUX_MAGIC) >>> 0) * 1000);

  const imageBytes = area.dwords * 4;
  const imageSectors = imageBytes / SECTOR_SIZE;
  if (
    imageBytes === 0 ||
    imageBytes + area.advSectors * SECTOR_SIZE > sys.length ||
    area.dataSectors !== imageSectors
  ) {
    problem('ldlinux-sys-damaged', 'ldlinux.sys is shorter than its own header says.');
    return;
  }
  if (dwordSum(sys, area.dwords) !== LDLINUX_MAGIC) {
    problem('ldlinux-sys-damaged', 'ldlinux.sys fails its checksum: it was changed or not installed.');
  }
  if (report.bootSectorHasSyslinux && findDword(bootSector.subarray(90, 510), area.instance) === undefined) {
    problem('boot-sector-other-build', 'The boot sector comes from another SYSLINUX build than ldlinux.sys.');
  }

  const recorded = [bootSectorFirstSector(bootSector, area), ...extentsToSectors(readExtentTable(sys, area))];
  const actual = sectors.slice(0, imageSectors);
  const advRecorded = [u64(sys, area.advPointersOffset), u64(sys, area.advPointersOffset + 8)];
  const advActual = sectors.slice(imageSectors, imageSectors + area.advSectors);
  if (report.bootSectorHasSyslinux && !equalNumbers(recorded, actual)) {
    problem(
      'ldlinux-sys-moved',
      'ldlinux.sys was moved or rewritten since install: the boot code would load the wrong sectors.',
    );
  } else if (!equalNumbers(advRecorded, advActual)) {
    problem(
      'ldlinux-sys-moved',
      'ldlinux.sys was moved since install: its settings area (ADV) points elsewhere.',
    );
  }
  const copies = [0, 1].map((i) =>
    sys.subarray(imageBytes + i * SECTOR_SIZE, imageBytes + (i + 1) * SECTOR_SIZE),
  );
  if (!copies.some(isValidAdvCopy))
    problem('adv-damaged', 'Both copies of SYSLINUX’s saved settings (ADV) are damaged.');
}

function checkLdlinuxC32(
  c32: Uint8Array,
  report: SyslinuxInspection,
  knownBuilds: SyslinuxBinaries[],
  problem: (code: SyslinuxProblemCode, message: string) => void,
): void {
  const match = knownBuilds.find((build) => equalBytes(build.ldlinuxC32, c32));
  if (match) report.ldlinuxC32Version = match.version;
  if (report.instance === undefined) return;
  const builtWithSys = knownBuilds.find(
    (build) => readPatchArea(build.ldlinuxImage).instance === report.instance,
  );
  const isElf = c32[0] === 0x7f && c32[1] === 0x45 && c32[2] === 0x4c && c32[3] === 0x46;
  if (!isElf) {
    problem('ldlinux-c32-other-build', 'ldlinux.c32 is not a SYSLINUX module.');
  } else if (builtWithSys ? !equalBytes(builtWithSys.ldlinuxC32, c32) : match !== undefined) {
    // Either we know ldlinux.sys's build and this is not its ldlinux.c32, or this is a c32 we know
    // from a build other than the installed ldlinux.sys.
    problem(
      'ldlinux-c32-other-build',
      'ldlinux.c32 does not belong to the installed ldlinux.sys: SYSLINUX will stop.',
    );
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function equalNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
