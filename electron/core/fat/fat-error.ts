import { LayerError } from '../errors.js';
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

const MESSAGES: Record<FatErrorCode, string> = {
  'bad-boot-sector': 'The boot sector is not a valid FAT boot sector.',
  'volume-exceeds-device': 'The FAT volume claims to be larger than its device.',
  'chain-loop': 'A cluster chain loops back on itself.',
  'chain-broken': 'A cluster chain points to a free, reserved or nonexistent cluster.',
  'chain-too-short': 'A file is shorter on disk than its directory entry says.',
  'entry-out-of-range': 'A directory entry points outside the volume.',
  'directory-too-large': 'A directory exceeds the FAT limit of 65536 entries.',
  'invalid-name': 'The name is not allowed on a FAT volume.',
  'invalid-option': 'An option is not valid for a FAT volume.',
  'not-found': 'No such file or directory.',
  'already-exists': 'A file or directory with that name already exists.',
  'not-a-directory': 'A part of the path is not a directory.',
  'is-a-directory': 'The path names a directory.',
  'directory-not-empty': 'The directory is not empty.',
  'rename-into-self': 'A directory cannot be moved into itself.',
  'no-space': 'There is not enough free space on the volume.',
  'no-contiguous-space': 'There is no contiguous free space large enough.',
  'root-directory-full': 'The root directory is full.',
  'file-too-large': 'Files on FAT must be smaller than 4 GiB.',
  'size-mismatch': 'The data was not the announced size.',
  'unsupported-size': 'The device size does not suit the requested FAT type.',
  'read-only': 'The volume was opened read-only.',
};

export class FatError extends LayerError<FatErrorCode> {
  constructor(code: FatErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, MESSAGES[code], detail, options);
  }
}
