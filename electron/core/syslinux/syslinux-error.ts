import { LayerError, type UserMessage } from '../errors.js';
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

/** What each code means to a user: what happened, and what to do about it (the CLI and the window show both). */
export const SYSLINUX_MESSAGES: Record<SyslinuxErrorCode, UserMessage> = {
  'binaries-missing': {
    happened: 'The SYSLINUX files shipped with astcard are missing or damaged.',
    todo: 'Reinstall astcard (or run npm run build:syslinux in a source checkout).',
  },
  'binaries-invalid': {
    happened: 'The SYSLINUX loader file is not a usable SYSLINUX build.',
    todo: 'Reinstall astcard (or run npm run build:syslinux in a source checkout).',
  },
  'no-fat-volume': {
    happened: 'The card holds no FAT volume to make bootable.',
    todo: 'Prepare the card first.',
  },
  'unsupported-sector-size': {
    happened: 'SYSLINUX can only boot from media with 512-byte sectors.',
    todo: 'Use a card or reader with 512-byte sectors.',
  },
  'unsupported-media': {
    happened: 'The volume has a media type SYSLINUX does not accept.',
    todo: 'Prepare the card again.',
  },
  'ambiguous-fat-type': {
    happened: 'The volume size sits on a FAT type boundary; SYSLINUX could misread it. Format it again.',
    todo: 'Prepare the card again; astcard then picks a size SYSLINUX reads without doubt.',
  },
  'hidden-sectors-mismatch': {
    happened: 'The volume does not record where its partition starts; it could not boot.',
    todo: 'Prepare the card again.',
  },
  'too-fragmented': {
    happened: 'The card is too fragmented to hold the SYSLINUX loader; free some space or reformat.',
    todo: 'Remove an old image to free space, or prepare the card again.',
  },
  'no-such-partition': {
    happened: 'The chosen partition does not exist or does not hold FAT.',
    todo: 'Choose a partition that exists and holds FAT (astcard inspect lists them).',
  },
  'partition-ambiguous': {
    happened: 'The card holds several FAT partitions; choose which one to make bootable.',
    todo: 'Name the partition to use.',
  },
};

export class SyslinuxError extends LayerError<SyslinuxErrorCode> {
  constructor(code: SyslinuxErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, SYSLINUX_MESSAGES[code], detail, options);
  }
}
