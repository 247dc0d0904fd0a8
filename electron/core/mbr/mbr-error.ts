import { LayerError } from '../errors.js';
/** Why a partition table could not be read or written. Closed set. */
export type MbrErrorCode =
  /** Sector 0 does not end in 0x55AA: neither an MBR nor a FAT boot sector. */
  | 'no-signature'
  /** A partition entry has an invalid status byte or an empty range. */
  | 'bad-partition-entry'
  /** A partition extends past the end of the disk. */
  | 'partition-out-of-range'
  /** Two partitions share sectors. */
  | 'overlapping-partitions'
  /** A caller-supplied value (start, size, type, boot code) is unusable. */
  | 'invalid-option';

const MESSAGES: Record<MbrErrorCode, string> = {
  'no-signature': 'The disk has no partition table or boot sector.',
  'bad-partition-entry': 'The partition table holds an invalid entry.',
  'partition-out-of-range': 'A partition extends beyond the end of the disk.',
  'overlapping-partitions': 'Two partitions overlap.',
  'invalid-option': 'The partition settings are not valid.',
};

export class MbrError extends LayerError<MbrErrorCode> {
  constructor(code: MbrErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, MESSAGES[code], detail, options);
  }
}
