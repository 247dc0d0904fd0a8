/**
 * What the loader would make of an image's content, predicted from its bytes: the filesystem it mounts
 * and the kernel it would kexec, or the one reason it would give up on the image.
 */

export type ImageFilesystem = 'ext2' | 'ext3' | 'ext4' | 'squashfs';

/**
 * `mount-failed` and `no-kernel` are the loader's own codes for the same rejections. `unchecked` means
 * astcard cannot tell (a compression it cannot decode, a layout too unusual to read quickly): the loader may
 * well boot the image, so callers must not treat it as a rejection.
 */
export type ContentVerdict = 'mount-failed' | 'no-kernel' | 'unchecked';

export type ContentJudgement =
  | {
      ok: true;
      filesystem: ImageFilesystem;
      kernel: { size: number };
      initrd: { size: number } | null;
    }
  | {
      ok: false;
      verdict: ContentVerdict;
      /** One plain sentence for the user, completing "The image …" (e.g. "has no /boot/bzImage"). */
      reason: string;
      /** The technical specifics, for logs and --verbose. */
      detail?: string;
      /** Known when the failure came after the filesystem was recognised. */
      filesystem?: ImageFilesystem;
    };

/** Reads exactly `length` bytes at `offset` of the image. */
export type ReadImageBytes = (offset: number, length: number) => Promise<Uint8Array>;
