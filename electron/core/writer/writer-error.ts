import { AstcardError } from '../errors.js';

/** Why the writer (the helper process and its client) refused or failed. */
export type WriterErrorCode =
  /** Something connected to the client without the one-time token, or the helper could not prove itself. */
  | 'helper-unauthenticated'
  /** The helper could not be started, or exited without finishing the job. */
  | 'helper-failed'
  /** The user declined the administrator prompt. */
  | 'elevation-declined'
  /** A message broke the protocol: not JSON, too long, or not the message expected next. */
  | 'protocol'
  /** A job kind the helper does not know. */
  | 'unknown-job'
  /** A job that tried to name a device: the device is fixed when the helper starts, never by a job. */
  | 'job-names-device'
  /** A job with missing, extra or ill-typed fields. */
  | 'malformed-job'
  /** A source path the user cannot read, or that is not a regular file. */
  | 'source-refused'
  /** The volumes on the drive could not be unmounted. */
  | 'unmount-failed'
  /** A job named a target another job is still running on. */
  | 'target-busy'
  /** The card disappeared or stopped answering mid-job. */
  | 'card-removed';

export class WriterError extends AstcardError {
  declare readonly code: WriterErrorCode;

  constructor(code: WriterErrorCode, message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(code, message, options);
  }
}
