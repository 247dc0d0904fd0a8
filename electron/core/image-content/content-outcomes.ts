/**
 * The readers report what they find by throwing one of these; `judgeImageContent` turns them into a
 * ContentJudgement. They never leave this module.
 */

/** A structure that the kernel would refuse to read (bad magic, out-of-range pointer, broken table). */
export class DamagedStructure extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'DamagedStructure';
  }
}

/** The kernel would refuse to mount the filesystem, for a reason a user can be told. */
export class MountRefused extends Error {
  constructor(
    readonly reason: string,
    readonly detail: string,
  ) {
    super(reason);
    this.name = 'MountRefused';
  }
}

/** astcard cannot decide (a compression it cannot decode, too much to read): neither good nor bad. */
export class CannotCheck extends Error {
  constructor(
    readonly reason: string,
    readonly detail: string,
  ) {
    super(reason);
    this.name = 'CannotCheck';
  }
}
