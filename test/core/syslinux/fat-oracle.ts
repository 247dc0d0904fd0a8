/**
 * Reference volumes made by the real tools (mkfs.vfat, mtools, Debian's syslinux) for comparing our
 * installer against, byte for byte. Every image is a plain file; the host has no vfat, nothing is mounted.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';

export const SECTOR = 512;

export interface OracleVolumeOptions {
  sizeMiB: number;
  fatType: 12 | 16 | 32;
  /** Sectors per cluster (mkfs.vfat -s); default mkfs's choice. */
  sectorsPerCluster?: number;
  /** Put the volume in MBR partition 1 starting at this sector; omit for a superfloppy. */
  partitionStart?: number;
}

export interface OracleVolume {
  path: string;
  /** Byte offset of the FAT volume in the file. */
  offset: number;
  /** What mtools' -i takes: the file, with @@offset for a partition. */
  mtoolsImage: string;
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Makes a FAT volume with mkfs.vfat, either whole-file or inside a one-partition MBR disk. */
export function makeOracleVolume(path: string, options: OracleVolumeOptions): OracleVolume {
  const start = options.partitionStart ?? 0;
  const volumeSectors = (options.sizeMiB * 1024 * 1024) / SECTOR;
  const totalBytes = (start + volumeSectors) * SECTOR;
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, new Uint8Array(SECTOR), 0, SECTOR, totalBytes - SECTOR);
    if (start > 0) writeSync(fd, mbrWithOnePartition(start, volumeSectors, options.fatType), 0, SECTOR, 0);
  } finally {
    closeSync(fd);
  }
  const args = ['-F', String(options.fatType), '-i', '1234abcd', '-n', 'ORACLE'];
  if (options.sectorsPerCluster) args.push('-s', String(options.sectorsPerCluster));
  if (start > 0) args.push('--offset', String(start), '-h', String(start));
  run('/usr/sbin/mkfs.vfat', [...args, path, String(volumeSectors / 2)]);
  return { path, offset: start * SECTOR, mtoolsImage: start > 0 ? `${path}@@${start * SECTOR}` : path };
}

function mbrWithOnePartition(start: number, sectors: number, fatType: 12 | 16 | 32): Uint8Array {
  const mbr = new Uint8Array(SECTOR);
  const view = new DataView(mbr.buffer);
  view.setUint32(440, 0x0a57ca2d, true);
  const entry = 446;
  mbr[entry] = 0x80;
  mbr[entry + 4] = fatType === 32 ? 0x0c : fatType === 16 ? 0x0e : 0x01;
  view.setUint32(entry + 8, start, true);
  view.setUint32(entry + 12, sectors, true);
  view.setUint16(510, 0xaa55, true);
  return mbr;
}

/** Debian's syslinux --install on the volume (with --offset for a partition). */
export function syslinuxInstall(volume: OracleVolume): void {
  const args =
    volume.offset > 0
      ? ['--offset', String(volume.offset), '--install', volume.path]
      : ['--install', volume.path];
  run('syslinux', args);
}

export function mcopyIn(volume: OracleVolume, localPath: string, name: string): void {
  run('mcopy', ['-o', '-i', volume.mtoolsImage, localPath, `::${name}`]);
}

/** Copies several local files into a directory (default the root) with one mcopy run. */
export function mcopyMany(volume: OracleVolume, localPaths: string[], directory = ''): void {
  run('mcopy', ['-o', '-i', volume.mtoolsImage, ...localPaths, `::${directory}/`]);
}

export function mmd(volume: OracleVolume, directory: string): void {
  run('mmd', ['-i', volume.mtoolsImage, `::${directory}`]);
}

/** Free bytes as mdir reports them. */
export function freeBytes(volume: OracleVolume): number {
  const text = run('mdir', ['-i', volume.mtoolsImage, '::']);
  const match = /([\d ]+) bytes free/.exec(text);
  if (!match?.[1]) throw new Error(`mdir did not report free space: ${text}`);
  return Number(match[1].replace(/ /g, ''));
}

/** mdir -a of the root directory, hidden and system files included. */
export function mdirAll(volume: OracleVolume): string {
  return run('mdir', ['-a', '-i', volume.mtoolsImage, '::']);
}

/** mattrib's line for a file, e.g. "  A  SHR     ::/ldlinux.sys". */
export function mattrib(volume: OracleVolume, name: string): string {
  return run('mattrib', ['-i', volume.mtoolsImage, `::${name}`]);
}

export function mdelMany(volume: OracleVolume, names: string[]): void {
  run('mdel', ['-i', volume.mtoolsImage, ...names.map((name) => `::${name}`)]);
}

export function mread(volume: OracleVolume, name: string): Uint8Array {
  return new Uint8Array(execFileSync('mtype', ['-i', volume.mtoolsImage, `::${name}`]));
}

/** fsck.fat -n: throws with its output when the volume has errors. */
export function fsckClean(volume: OracleVolume): string {
  if (volume.offset > 0) {
    // fsck.fat has no offset option: check a copy of the partition's bytes.
    const copy = `${volume.path}.part`;
    const bytes = readFileSync(volume.path).subarray(volume.offset);
    const fd = openSync(copy, 'w');
    writeSync(fd, bytes);
    closeSync(fd);
    return run('/usr/sbin/fsck.fat', ['-n', copy]);
  }
  return run('/usr/sbin/fsck.fat', ['-n', volume.path]);
}

/**
 * The sectors (relative to the volume start) a file of `length` bytes occupies, from mshowfat's cluster
 * list and the BPB.
 */
export function oracleFileSectors(volume: OracleVolume, name: string, length: number): number[] {
  const text = run('mshowfat', ['-i', volume.mtoolsImage, `::${name}`]);
  const ranges = [...text.matchAll(/<(\d+)(?:-(\d+))?>/g)];
  if (ranges.length === 0) throw new Error(`mshowfat gave no cluster list: ${text}`);
  const bpb = readFileSync(volume.path).subarray(volume.offset, volume.offset + SECTOR);
  const view = new DataView(bpb.buffer, bpb.byteOffset, SECTOR);
  const perCluster = view.getUint8(13);
  const fatSize = view.getUint16(22, true) || view.getUint32(36, true);
  const rootSectors = Math.ceil((view.getUint16(17, true) * 32) / SECTOR);
  const dataStart = view.getUint16(14, true) + view.getUint8(16) * fatSize + rootSectors;
  const sectors: number[] = [];
  for (const [, from, to] of ranges) {
    const first = Number(from);
    for (let cluster = first; cluster <= Number(to ?? from); cluster++) {
      for (let i = 0; i < perCluster; i++) sectors.push(dataStart + (cluster - 2) * perCluster + i);
    }
  }
  return sectors.slice(0, Math.ceil(length / SECTOR));
}

/**
 * Leaves the volume's only free space as holes of 1–3 clusters, so the next large file lands in many
 * extents: small files, a filler taking everything after them, then every other small file deleted.
 */
export function fragmentFreeSpace(volume: OracleVolume, work: string, files: number): void {
  const clusterBytes = readFileSync(volume.path).readUInt8(volume.offset + 13) * SECTOR;
  mmd(volume, 'frag');
  const paths: string[] = [];
  for (let i = 0; i < files; i++) {
    const path = join(work, `frag${i}.bin`);
    writeFileSync(path, new Uint8Array(((i % 3) + 1) * clusterBytes).fill(i & 0xff));
    paths.push(path);
  }
  for (let i = 0; i < paths.length; i += 100) mcopyMany(volume, paths.slice(i, i + 100), 'frag');
  const filler = join(work, 'filler.bin');
  writeFileSync(filler, new Uint8Array(freeBytes(volume) - 4 * clusterBytes));
  mcopyMany(volume, [filler]);
  rmSync(filler);
  mdelMany(
    volume,
    paths.filter((_, i) => i % 2 === 0).map((path) => `frag/${basename(path)}`),
  );
}
