import { AstcardError } from '../errors.js';

/** Why a card operation refused or failed. Lower layers' errors (FatError, BlockDeviceError…) pass through. */
export type CardErrorCode =
  /** The target holds no FAT volume we can read: empty, foreign, or damaged beyond reading. */
  | 'not-a-card'
  /** The target is smaller than what was asked to go on it. */
  | 'too-small'
  /** A source image's file name is not `AstLinux-X.Y.Z.img` (or a name we can derive one from). */
  | 'bad-image-name'
  /** A source image does not match the checksum that came with it. */
  | 'source-checksum-mismatch'
  /** A source image's checksum file is unusable. */
  | 'source-checksum-malformed'
  /** What was read back from the card differs from what was written. */
  | 'verify-failed'
  /** The loader or SYSLINUX build output is missing: run the build first. */
  | 'assets-missing'
  /** Two sources would land under the same name. */
  | 'duplicate-image'
  /** Not enough free space on the card for what was asked. */
  | 'no-space'
  /** The image to remove is not on the card. */
  | 'image-not-found'
  /** An option's value is unusable. */
  | 'invalid-option'
  /** The user cancelled; the card was left consistent. */
  | 'cancelled'
  /** A source file could not be read. */
  | 'source-unreadable'
  /** An archive is damaged, or holds no AstLinux image. */
  | 'bad-archive'
  /** A server refused a download or could not be reached. */
  | 'download-failed'
  /** A download kept stopping short of its announced size, or sent more than it announced. */
  | 'download-incomplete'
  /** The card's loader cannot be updated as it stands (no readable syslinux.cfg to carry over, …). */
  | 'loader-update-failed'
  /** A keydisk file is not one (not a complete ext2 filesystem), or the card has none to export. */
  | 'bad-keydisk'
  /** The card already has a keydisk, and replacing it (losing its keys) was not asked for. */
  | 'keydisk-exists'
  /** A finished card of a batch does not check out: an image or the keydisk differs, or it would not boot. */
  | 'card-check-failed'
  /** A public key to trust (or to stop trusting) is not a usable signify key, or not on the card. */
  | 'bad-key'
  /** An image the card would never boot for its signature: a signed list that fails, or none where required. */
  | 'untrusted-image'
  /** An image the loader could not mount: not an ext2/3/4 or squashfs filesystem, damaged, or cut short. */
  | 'image-not-bootable'
  /** An image the loader can mount, with no kernel at /boot/bzImage to start. */
  | 'image-has-no-kernel'
  /** A real AstLinux release is missing one of its files (.run, .run.sha1, .run.conf, .initrd.img). */
  | 'incomplete-release'
  /** The card cannot hold what was asked (real releases need an MBR card, partition 1). */
  | 'wrong-layout'
  /** A revert has nothing to go back to, or what it would go back to is missing or damaged. */
  | 'cannot-revert';

export class CardError extends AstcardError {
  declare readonly code: CardErrorCode;

  constructor(code: CardErrorCode, message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(code, message, options);
  }
}
