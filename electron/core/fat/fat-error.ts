import { LayerError, type UserMessage } from '../errors.js';
import type { VolumeProblem } from './volume-check.js';
/** Why a FAT operation failed. Closed set; device failures arrive as BlockDeviceError instead. */
export type FatErrorCode =
  // The volume's own structures are damaged or not FAT at all.
  /** The boot sector is not a FAT boot sector, or its BPB describes an impossible layout. */
  | 'bad-boot-sector'
  /** The BPB describes a volume larger than the device holding it. */
  | 'volume-exceeds-device'
  /** A cluster chain returns to a cluster it already visited (detected by exceeding the cluster count). */
  | 'chain-loop'
  /** A cluster chain points outside the data area, or into a free or reserved cluster. */
  | 'chain-broken'
  /** A file's chain is shorter than its recorded size. */
  | 'chain-too-short'
  /** A directory entry names a start cluster outside the data area. */
  | 'entry-out-of-range'
  /** A directory is larger than FAT allows (65536 entries). */
  | 'directory-too-large'
  /** The volume has damage (crossed or broken chains, a dirty flag…): nothing is written before a repair. */
  | 'volume-damaged'
  // The caller asked for something that cannot be done.
  /** A path or file name is empty, too long, contains `..`, `/`, control or FAT-invalid characters. */
  | 'invalid-name'
  /** A volume label or format option is unusable. */
  | 'invalid-option'
  | 'not-found'
  | 'already-exists'
  | 'not-a-directory'
  | 'is-a-directory'
  | 'directory-not-empty'
  /** Moving a directory into itself or a descendant. */
  | 'rename-into-self'
  /** Not enough free clusters. */
  | 'no-space'
  /** `contiguous: true` was asked but no free run is long enough. */
  | 'no-contiguous-space'
  /** The fixed-size FAT12/16 root directory has no free entries left. */
  | 'root-directory-full'
  /** A FAT file cannot reach 4 GiB. */
  | 'file-too-large'
  /** The data stream delivered a different number of bytes than `size` promised. */
  | 'size-mismatch'
  /** The volume does not fit any FAT type at the requested cluster sizes. */
  | 'unsupported-size'
  /** Writes to a volume opened read-only. */
  | 'read-only';

/** What each code means to a user: what happened, and what to do about it (the CLI and the window show both). */
export const FAT_MESSAGES: Record<FatErrorCode, UserMessage> = {
  'bad-boot-sector': {
    happened: 'The boot sector is not a valid FAT boot sector.',
    todo: 'If the card is new or holds nothing you need, prepare it again; otherwise copy its files off with another computer first.',
  },
  'volume-exceeds-device': {
    happened: 'The FAT volume claims to be larger than its device.',
    todo: 'The card may have been written for a larger card: prepare it again if it holds nothing you need.',
  },
  'chain-loop': {
    happened: 'A cluster chain loops back on itself.',
    todo: 'Run astcard repair on the card, then try again.',
  },
  'chain-broken': {
    happened: 'A cluster chain points to a free, reserved or nonexistent cluster.',
    todo: 'Run astcard repair on the card, then try again.',
  },
  'chain-too-short': {
    happened: 'A file is shorter on disk than its directory entry says.',
    todo: 'Run astcard repair on the card, then try again.',
  },
  'entry-out-of-range': {
    happened: 'A directory entry points outside the volume.',
    todo: 'Run astcard repair on the card, then try again.',
  },
  'directory-too-large': {
    happened: 'A directory exceeds the FAT limit of 65536 entries.',
    todo: 'Remove files you no longer need from that folder, then try again.',
  },
  'volume-damaged': {
    happened: 'The FAT volume is damaged; it must be repaired before anything is written to it.',
    todo: 'Run astcard repair on the card, then try again.',
  },
  'invalid-name': {
    happened: 'The name is not allowed on a FAT volume.',
    todo: 'Rename the file with letters, digits, dots, dashes and underscores only, then try again.',
  },
  'invalid-option': {
    happened: 'An option is not valid for a FAT volume.',
    todo: 'Choose another value for that setting.',
  },
  'not-found': {
    happened: 'No such file or directory.',
    todo: 'Check the name; astcard inspect lists what is on the card.',
  },
  'already-exists': {
    happened: 'A file or directory with that name already exists.',
    todo: 'Remove the existing file first, or choose another name.',
  },
  'not-a-directory': {
    happened: 'A part of the path is not a directory.',
    todo: 'Check the path; a file stands where a folder was expected.',
  },
  'is-a-directory': {
    happened: 'The path names a directory.',
    todo: 'Name a file, not a folder.',
  },
  'directory-not-empty': {
    happened: 'The directory is not empty.',
    todo: 'Remove what is in the folder first.',
  },
  'rename-into-self': {
    happened: 'A directory cannot be moved into itself.',
    todo: 'Choose a destination outside the folder.',
  },
  'no-space': {
    happened: 'There is not enough free space on the volume.',
    todo: 'Remove an old image from the card, or use a larger card.',
  },
  'no-contiguous-space': {
    happened: 'There is no contiguous free space large enough.',
    todo: 'Remove an old image from the card, or prepare it again to make room in one piece.',
  },
  'root-directory-full': {
    happened: 'The root directory is full.',
    todo: 'Remove files you no longer need from the top folder of the card, or prepare it as FAT32.',
  },
  'file-too-large': {
    happened: 'Files on FAT must be smaller than 4 GiB.',
    todo: 'Use an image smaller than 4 GiB.',
  },
  'size-mismatch': {
    happened: 'The data was not the announced size.',
    todo: 'The source changed or the download was cut off: get the file again, then try again.',
  },
  'unsupported-size': {
    happened: 'The device size does not suit the requested FAT type.',
    todo: 'Use a card of another size, or let astcard choose the FAT type.',
  },
  'read-only': {
    happened: 'The volume was opened read-only.',
    todo: 'Open the card for writing, or unlock its write-protect switch.',
  },
};

export class FatError extends LayerError<FatErrorCode> {
  constructor(code: FatErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, FAT_MESSAGES[code], detail, options);
  }
}

/** The refusal to write to a damaged volume, with what the check found (plain sentences, per file). */
export class VolumeDamagedError extends FatError {
  constructor(readonly problems: VolumeProblem[]) {
    super('volume-damaged', problems.map((problem) => problem.message).join(' '));
  }
}
