import { LayerError } from '../errors.js';
/** Why the SYSLINUX installer refused or failed. Closed set; device and FAT failures arrive as their own errors. */
export type SyslinuxErrorCode =
  // The binaries we were handed.
  /** assets/syslinux/ is missing, incomplete, or a file does not match its manifest digest. */
  | 'binaries-missing'
  /** ldlinux.sys has no patch area, or its fields describe an impossible image. */
  | 'binaries-invalid'
  // The volume SYSLINUX cannot boot from.
  /** Neither a FAT boot sector at sector 0 nor an MBR with a FAT partition. */
  | 'no-fat-volume'
  /** The device or the volume uses sectors other than 512 bytes; SYSLINUX's FAT boot code cannot read them. */
  | 'unsupported-sector-size'
  /** The BPB's media byte is not F0 or F8–FF. */
  | 'unsupported-media'
  /** The cluster count sits so close to a FAT12/16/32 boundary that SYSLINUX may misread the FAT type. */
  | 'ambiguous-fat-type'
  /** The BPB's hidden-sectors field does not equal the partition start, so the boot code would read the wrong sectors. */
  | 'hidden-sectors-mismatch'
  /** ldlinux.sys landed in more pieces than its extent table holds. */
  | 'too-fragmented'
  // The partition table.
  /** The partition asked for does not exist or is not a FAT partition. */
  | 'no-such-partition'
  /** The disk holds several FAT partitions and none was chosen. */
  | 'partition-ambiguous';

const MESSAGES: Record<SyslinuxErrorCode, string> = {
  'binaries-missing': 'The SYSLINUX files shipped with astcard are missing or damaged.',
  'binaries-invalid': 'The SYSLINUX loader file is not a usable SYSLINUX build.',
  'no-fat-volume': 'The card holds no FAT volume to make bootable.',
  'unsupported-sector-size': 'SYSLINUX can only boot from media with 512-byte sectors.',
  'unsupported-media': 'The volume has a media type SYSLINUX does not accept.',
  'ambiguous-fat-type':
    'The volume size sits on a FAT type boundary; SYSLINUX could misread it. Format it again.',
  'hidden-sectors-mismatch': 'The volume does not record where its partition starts; it could not boot.',
  'too-fragmented': 'The card is too fragmented to hold the SYSLINUX loader; free some space or reformat.',
  'no-such-partition': 'The chosen partition does not exist or does not hold FAT.',
  'partition-ambiguous': 'The card holds several FAT partitions; choose which one to make bootable.',
};

export class SyslinuxError extends LayerError<SyslinuxErrorCode> {
  constructor(code: SyslinuxErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, MESSAGES[code], detail, options);
  }
}
