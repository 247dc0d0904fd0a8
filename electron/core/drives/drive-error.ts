import { AstcardError } from '../errors.js';

/** Why the drive list or a drive check refused or failed. */
export type DriveErrorCode =
  /** The drive could not be listed or described by the system. */
  | 'list-failed'
  /** The chosen drive is no longer connected. */
  | 'drive-gone'
  /** The drive now reports a different size, removable flag, bus, model or serial than when it was chosen. */
  | 'identity-changed'
  /** The rules forbid writing to this drive (system disk, locked, holds the source…). */
  | 'drive-refused'
  /** The drive needs its name typed (or a confirmation) and it was not given. */
  | 'confirmation-needed'
  /** A new card image would replace a file that is already there, and replacing it was not asked for. */
  | 'target-exists';

export class DriveError extends AstcardError {
  declare readonly code: DriveErrorCode;

  constructor(code: DriveErrorCode, message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(code, message, options);
  }
}
