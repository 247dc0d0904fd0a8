import { AstcardError } from '../errors.js';

export type ImageContentErrorCode =
  /** The image's bytes could not be read, so nothing could be judged (the medium, not the image). */
  | 'read-failed'
  /** The caller gave a size or range that cannot describe an image (a bug, not a property of the image). */
  | 'bad-size';

export class ImageContentError extends AstcardError {
  declare readonly code: ImageContentErrorCode;

  constructor(
    code: ImageContentErrorCode,
    message: string,
    options: { cause?: unknown; detail?: string } = {},
  ) {
    super(code, message, options);
  }
}
