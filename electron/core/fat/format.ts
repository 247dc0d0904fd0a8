/** Making a new, empty FAT16 or FAT32 volume on a device (a whole superfloppy or a partition window). */
import { randomInt } from 'node:crypto';
import type { BlockDevice } from '../block/block-device.js';
import { setAscii, setU8, setU16, setU32 } from '../block/little-endian.js';
import { PartitionBlockDevice } from '../block/partition-block-device.js';
import { BPB, EBPB16, EBPB32, EXTENDED_BOOT_SIGNATURE, type FatGeometry, FSINFO } from './boot-sector.js';
import { clusterOffset } from './directory.js';
import { ATTR, encodeEntries } from './directory-entry.js';
import { FatError } from './fat-error.js';
import { FatTable } from './fat-table.js';
import { FatVolume } from './fat-volume.js';
import { chooseLayout, type FormatLayout } from './format-layout.js';
import { normalizeLabel } from './names.js';

export interface FormatOptions {
  /** Default: FAT16 up to 2 GiB, FAT32 above. */
  fatType?: 16 | 32;
  /** Up to 11 characters; stored upper case in the boot sector and as a root directory entry. */
  label?: string;
  /** Volume serial number; random when omitted. */
  serial?: number;
  /**
   * Sectors before this volume on the disk: the partition's start LBA, 0 for a superfloppy. Default:
   * taken from a PartitionBlockDevice's start, else 0.
   */
  hiddenSectors?: number;
}

const MEDIA_FIXED_DISK = 0xf8;
/** Real-mode stub for volumes nobody has made bootable yet: ask the BIOS for the next boot device. */
const NOT_BOOTABLE_STUB = [0xcd, 0x18, 0xf4, 0xeb, 0xfd];

/** Formats `device` and returns the new volume, open. Anything on the device is lost. */
export async function formatFat(device: BlockDevice, options: FormatOptions = {}): Promise<FatVolume> {
  const bytesPerSector = device.sectorSize;
  const label = options.label === undefined ? '' : normalizeLabel(options.label);
  const serial = options.serial ?? randomInt(0, 0x100000000);
  // A partition window knows where it starts; a whole device (superfloppy) has nothing before it.
  const hiddenSectors =
    options.hiddenSectors ?? (device instanceof PartitionBlockDevice ? Math.floor(device.start / 512) : 0);
  if (!Number.isInteger(serial) || serial < 0 || serial > 0xffffffff)
    throw new FatError('invalid-option', `serial ${serial}`);
  if (!Number.isInteger(hiddenSectors) || hiddenSectors < 0 || hiddenSectors > 0xffffffff) {
    throw new FatError('invalid-option', `hiddenSectors ${hiddenSectors}`);
  }
  const layout = chooseLayout(device.size, bytesPerSector, options.fatType);
  const boot = bootSector(layout, { label, serial, hiddenSectors });
  const geometry = toGeometry(layout, hiddenSectors, serial, label);
  const sector = (n: number) => n * bytesPerSector;

  // Reserved area first (clearing whatever an earlier filesystem left), boot sector last.
  await device.write(0, new Uint8Array(sector(layout.reservedSectors)));
  const fat = FatTable.fresh(geometry);
  const root = new Uint8Array(
    layout.type === 32 ? sector(layout.sectorsPerCluster) : layout.rootEntryCount * 32,
  );
  if (label) {
    const now = new Date();
    const raw = new Uint8Array(11);
    setAscii(raw, 0, 11, label);
    root.set(
      encodeEntries({
        longName: undefined,
        shortRaw: raw,
        caseFlags: 0,
        attributes: ATTR.volumeLabel,
        startCluster: 0,
        size: 0,
        created: now,
        modified: now,
      }),
    );
  }
  if (layout.type === 32) {
    fat.allocate(1); // cluster 2: the root directory
    await device.write(clusterOffset(geometry, 2), root);
    const info = fsInfoSector(fat.freeCount, 3);
    await device.write(sector(1), info);
    await device.write(sector(6), boot);
    await device.write(sector(7), info);
  } else {
    await device.write(sector(geometry.rootDirSector), root);
  }
  await fat.writeAll(device);
  await device.flush();
  await device.write(0, boot);
  await device.flush();
  return FatVolume.open(device, { checkBeforeWriting: false });
}

function bootSector(
  layout: FormatLayout,
  ids: { label: string; serial: number; hiddenSectors: number },
): Uint8Array {
  const boot = new Uint8Array(layout.bytesPerSector);
  const fat32 = layout.type === 32;
  const ext = fat32 ? EBPB32 : EBPB16;
  boot.set([0xeb, ext.bootCode - 2, 0x90], BPB.jmpBoot);
  setAscii(boot, BPB.oemName, 8, 'ASTCARD');
  setU16(boot, BPB.bytesPerSector, layout.bytesPerSector);
  setU8(boot, BPB.sectorsPerCluster, layout.sectorsPerCluster);
  setU16(boot, BPB.reservedSectors, layout.reservedSectors);
  setU8(boot, BPB.fatCount, layout.fatCount);
  setU16(boot, BPB.rootEntryCount, layout.rootEntryCount);
  const small = !fat32 && layout.totalSectors < 0x10000;
  setU16(boot, BPB.totalSectors16, small ? layout.totalSectors : 0);
  setU8(boot, BPB.media, MEDIA_FIXED_DISK);
  setU16(boot, BPB.fatSize16, fat32 ? 0 : layout.fatSectors);
  setU16(boot, BPB.sectorsPerTrack, 63);
  setU16(boot, BPB.headCount, 255);
  setU32(boot, BPB.hiddenSectors, ids.hiddenSectors);
  setU32(boot, BPB.totalSectors32, small ? 0 : layout.totalSectors);
  if (fat32) {
    setU32(boot, EBPB32.fatSize32, layout.fatSectors);
    setU32(boot, EBPB32.rootCluster, 2);
    setU16(boot, EBPB32.fsInfoSector, 1);
    setU16(boot, EBPB32.backupBootSector, 6);
  }
  setU8(boot, ext.driveNumber, 0x80);
  setU8(boot, ext.bootSignature, EXTENDED_BOOT_SIGNATURE);
  setU32(boot, ext.volumeId, ids.serial);
  setAscii(boot, ext.volumeLabel, 11, ids.label || 'NO NAME');
  setAscii(boot, ext.fileSystemType, 8, fat32 ? 'FAT32' : 'FAT16');
  boot.set(NOT_BOOTABLE_STUB, ext.bootCode);
  setU16(boot, BPB.signature, 0xaa55);
  return boot;
}

function fsInfoSector(freeCount: number, nextFree: number): Uint8Array {
  const info = new Uint8Array(512);
  setU32(info, FSINFO.leadSignature, FSINFO.LEAD);
  setU32(info, FSINFO.structSignature, FSINFO.STRUCT);
  setU32(info, FSINFO.freeCount, freeCount);
  setU32(info, FSINFO.nextFree, nextFree);
  setU32(info, FSINFO.trailSignature, FSINFO.TRAIL);
  return info;
}

function toGeometry(layout: FormatLayout, hiddenSectors: number, serial: number, label: string): FatGeometry {
  const rootDirSectors = Math.ceil((layout.rootEntryCount * 32) / layout.bytesPerSector);
  return {
    type: layout.type,
    bytesPerSector: layout.bytesPerSector,
    sectorsPerCluster: layout.sectorsPerCluster,
    clusterSize: layout.bytesPerSector * layout.sectorsPerCluster,
    reservedSectors: layout.reservedSectors,
    fatCount: layout.fatCount,
    fatSectors: layout.fatSectors,
    rootEntryCount: layout.rootEntryCount,
    rootDirSector: layout.type === 32 ? 0 : layout.reservedSectors + layout.fatCount * layout.fatSectors,
    rootDirSectors,
    firstDataSector: layout.firstDataSector,
    totalSectors: layout.totalSectors,
    clusterCount: layout.clusterCount,
    rootCluster: layout.type === 32 ? 2 : 0,
    fsInfoSector: layout.type === 32 ? 1 : 0,
    backupBootSector: layout.type === 32 ? 6 : 0,
    hiddenSectors,
    media: MEDIA_FIXED_DISK,
    serial,
    bpbLabel: label || 'NO NAME',
  };
}
