import { AstcardError } from '../errors.js';

/** Why a test boot could not be run at all (a boot that runs and fails is a result, not an error). */
export type TryErrorCode =
  /** QEMU is not installed. */
  | 'qemu-missing'
  /** The UEFI firmware (OVMF) is not installed. */
  | 'firmware-missing'
  /** The card cannot be read by this user. */
  | 'card-unreadable';

export class TryError extends AstcardError {
  declare readonly code: TryErrorCode;

  constructor(code: TryErrorCode, message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(code, message, options);
  }
}
