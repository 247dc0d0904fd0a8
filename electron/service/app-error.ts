import { AstcardError } from '../core/errors.js';

/** Why the app refused a request before the core was asked. */
export type AppErrorCode =
  /** The card was unplugged, or its image file closed, since the window listed it. */
  | 'card-gone'
  /** The image file to open does not exist. */
  | 'file-missing'
  /** A system drive, without its name typed to confirm (or never: the core refuses fixed disks too). */
  | 'system-drive'
  /** The drive rules never allow writing this drive (running system, write-protected, too small…). */
  | 'drive-refused'
  /** The card chosen is also one of the images to write. */
  | 'wrong-drive'
  /** Nothing to do: no image chosen, no card chosen. */
  | 'nothing-chosen'
  /** The keydisk is absent, or not a keydisk. */
  | 'keydisk'
  /** The drive would not eject. */
  | 'eject-failed'
  /** A card image could not be created where asked. */
  | 'create-failed'
  /** The batch name has a report already, and nobody said to add to it. */
  | 'batch-exists'
  /** The CSV has fewer rows left for this batch than it has cards to make. */
  | 'not-enough-rows'
  /** A request from the window does not have the shape the contract gives it. */
  | 'bad-call'
  /** Prepare's "Set up this PBX" values cannot be written (a value refused, or no keydisk to hold them). */
  | 'settings-refused'
  /** The user stopped the work before it got anywhere. */
  | 'cancelled'
  /** Another card is being tried: one virtual machine at a time. */
  | 'busy'
  /** The file browser was asked for a folder that is not there, or may not be read. */
  | 'folder-unreadable';

export class AppError extends AstcardError {
  declare readonly code: AppErrorCode;

  constructor(code: AppErrorCode, message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(code, message, options);
  }
}
