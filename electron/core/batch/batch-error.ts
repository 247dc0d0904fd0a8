import { AstcardError } from '../errors.js';

/** Why a batch refused to start or a card of it failed outside the card operations' own errors. */
export type BatchErrorCode =
  /** The CSV of per-card values cannot be read as CSV, or its header or rows are unusable. */
  | 'bad-csv'
  /** A value from the CSV cannot go into an AstLinux setting (a newline, a quote, a bad address…). */
  | 'bad-value'
  /** Every row of the CSV is used: no keydisk can be made for another card. */
  | 'rows-exhausted'
  /** The keydisk template cannot be mounted or written. */
  | 'bad-template';

export class BatchError extends AstcardError {
  declare readonly code: BatchErrorCode;

  constructor(code: BatchErrorCode, message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(code, message, options);
  }
}
