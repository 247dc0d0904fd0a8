import { AstcardError } from '../errors.js';

/** Why a key could not be made, read or used to sign. */
export type SigningErrorCode =
  /** The file is not a signify secret key (or not an Ed25519 one), or it is damaged. */
  | 'bad-secret-key'
  /** The secret key is protected by a passphrase, which astcard cannot open. */
  | 'key-needs-passphrase'
  /** A key comment or a list entry cannot be written in signify's format. */
  | 'invalid-option';

export class SigningError extends AstcardError {
  declare readonly code: SigningErrorCode;

  constructor(code: SigningErrorCode, message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(code, message, options);
  }
}
