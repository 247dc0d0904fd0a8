/**
 * The base of every error the core throws on purpose. `code` is a closed, per-layer set that the CLI and
 * the GUI map to plain-language text; `message` is already a plain sentence a user can act on; `detail`
 * and `cause` keep what a log or `--verbose` needs.
 */
export class AstcardError extends Error {
  readonly code: string;
  readonly detail: string | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.detail = options.detail;
  }
}

/** A code's entry in a layer's message table: what happened, in a user's words, and what to do next. */
export interface UserMessage {
  happened: string;
  todo: string;
}

/**
 * The disk layers (block devices, MBR, FAT, SYSLINUX) describe each code from one table entry per code
 * (what happened, what to do) and add the specifics in brackets, which `errorData` takes off again for
 * users and keeps as `detail` for logs.
 */
export abstract class LayerError<Code extends string> extends AstcardError {
  declare readonly code: Code;
  declare readonly detail: string;
  readonly todo: string;

  protected constructor(code: Code, message: UserMessage, detail: string, options: { cause?: unknown } = {}) {
    super(code, `${message.happened} ${message.todo} (${detail})`, { cause: options.cause, detail });
    this.todo = message.todo;
  }
}

/** What crosses a process boundary (IPC, the privileged helper, `--json`): data, never an Error object. */
export interface ErrorData {
  code: string;
  message: string;
  detail?: string;
}

export function errorData(error: unknown): ErrorData {
  if (error instanceof Error) {
    const fields = error as Error & { code?: unknown; detail?: unknown };
    const code = typeof fields.code === 'string' ? fields.code : 'internal';
    const detail = fields.detail;
    // Lower layers append their detail in brackets; users get the sentence, logs and --verbose the detail.
    const suffix = typeof detail === 'string' ? ` (${detail})` : '';
    const message =
      suffix && error.message.endsWith(suffix) ? error.message.slice(0, -suffix.length) : error.message;
    const data: ErrorData = { code, message };
    if (typeof detail === 'string') data.detail = detail;
    else if (error.cause instanceof Error) data.detail = error.cause.message;
    return data;
  }
  return { code: 'internal', message: String(error) };
}
