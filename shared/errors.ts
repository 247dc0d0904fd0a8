/**
 * The one error class of the `shared/` layer. Parsers in this layer never throw: they return
 * `{ ok: false, reason }` results, because a bad file on a card is an expected state, not a bug.
 * `PolicyError` is thrown only when a *caller* hands a formatter something it cannot represent
 * (a digest of the wrong length, a file name with spaces on a kernel command line, …).
 */
export type PolicyErrorCode =
  /** A version or image name that cannot be written as `AstLinux-X.Y.Z.img`. */
  | 'invalid-version'
  /** A digest that is not hexadecimal or has the wrong length for its algorithm. */
  | 'invalid-digest'
  /** A value that cannot be carried on a kernel command line (spaces, quotes, control characters). */
  | 'invalid-option'
  /** A syslinux.cfg edit that names a label the file does not have. */
  | 'unknown-label';

export class PolicyError extends Error {
  readonly code: PolicyErrorCode;

  constructor(code: PolicyErrorCode, message: string, cause?: unknown) {
    super(message);
    // ES5 output (the loader's mujs bundle) loses the subclass prototype when extending Error;
    // restore it where the engine allows, so `instanceof PolicyError` works in Node.
    const setPrototypeOf = (Object as unknown as { setPrototypeOf?: (o: object, p: object) => void })
      .setPrototypeOf;
    if (setPrototypeOf) setPrototypeOf(this, PolicyError.prototype);
    this.name = 'PolicyError';
    this.code = code;
    // Set, not declared: ES5's Error type has no `cause`, ES2022's does (so Node callers can read it).
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}
