import { LayerError, type UserMessage } from '../errors.js';
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

/** What each code means to a user: what happened, and what to do about it (the CLI and the window show both). */
export const MBR_MESSAGES: Record<MbrErrorCode, UserMessage> = {
  'no-signature': {
    happened: 'The disk has no partition table or boot sector.',
    todo: 'Prepare the card to give it a partition table (this erases it).',
  },
  'bad-partition-entry': {
    happened: 'The partition table holds an invalid entry.',
    todo: 'Prepare the card again if it holds nothing you need; otherwise copy its files off first.',
  },
  'partition-out-of-range': {
    happened: 'A partition extends beyond the end of the disk.',
    todo: 'The card may be smaller than it claims (a counterfeit) or was cut short: prepare it again, or use another card.',
  },
  'overlapping-partitions': {
    happened: 'Two partitions overlap.',
    todo: 'Prepare the card again if it holds nothing you need; otherwise copy its files off first.',
  },
  'invalid-option': {
    happened: 'The partition settings are not valid.',
    todo: 'Choose other partition settings.',
  },
};

export class MbrError extends LayerError<MbrErrorCode> {
  constructor(code: MbrErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, MBR_MESSAGES[code], detail, options);
  }
}
