import { LayerError, type UserMessage } from '../errors.js';
/** Why a block device refused or failed an operation. Closed set: callers switch on it. */
export type BlockDeviceErrorCode =
  /** The range asked for lies (partly) outside the device. */
  | 'out-of-range'
  /** A write or flush on a device opened read-only. */
  | 'read-only'
  /** The operating system reported an input/output failure. */
  | 'io'
  /** The path names no file or device. */
  | 'not-found'
  /** Someone else holds the device (mounted, or opened exclusively elsewhere). */
  | 'busy'
  /** The operating system refused us access (not elevated, or locked). */
  | 'permission-denied'
  /** The request is malformed (negative offset, unaligned where alignment is required, bad size). */
  | 'invalid-argument'
  /** The platform or medium cannot do what was asked (e.g. no uncached reads). */
  | 'unsupported'
  /** The device was used after close(). */
  | 'closed';

/** What each code means to a user: what happened, and what to do about it (the CLI and the window show both). */
export const BLOCK_DEVICE_MESSAGES: Record<BlockDeviceErrorCode, UserMessage> = {
  'out-of-range': {
    happened: 'The requested range lies outside the device.',
    todo: 'The card may be smaller than it claims: check it with astcard inspect, or use another card.',
  },
  'read-only': {
    happened: 'The device is read-only.',
    todo: "Slide the card's write-protect switch to unlocked, or use another reader.",
  },
  io: {
    happened: 'The device reported a read or write failure.',
    todo: 'Take the card out, put it in again and retry; if it fails again, the card or reader is failing: use another.',
  },
  'not-found': {
    happened: 'The device or image file does not exist.',
    todo: 'Check that the card is still in its reader, or that the image file path is right.',
  },
  busy: {
    happened: 'The device is in use by another program or is mounted.',
    todo: 'Unmount the card (eject it in your file manager without removing it) and close programs using it, then try again.',
  },
  'permission-denied': {
    happened: 'Access to the device was denied; administrator rights may be needed.',
    todo: 'Let astcard ask for your password (the app does this), or run the command as a user allowed to write drives.',
  },
  'invalid-argument': {
    happened: 'The request to the device was malformed.',
    todo: 'This is a fault in astcard: please report it with the log.',
  },
  unsupported: {
    happened: 'This device or platform does not support the requested operation.',
    todo: 'Use a card reader or computer this works on; the log names what was missing.',
  },
  closed: {
    happened: 'The device has already been closed.',
    todo: 'This is a fault in astcard: please report it with the log.',
  },
};

export class BlockDeviceError extends LayerError<BlockDeviceErrorCode> {
  constructor(code: BlockDeviceErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, BLOCK_DEVICE_MESSAGES[code], detail, options);
  }
}

/** Maps a Node system error (errno code) to our closed set, keeping it as the cause. */
export function fromSystemError(error: unknown, detail: string): BlockDeviceError {
  if (error instanceof BlockDeviceError) return error;
  const errno = (error as { code?: unknown } | null)?.code;
  const code: BlockDeviceErrorCode =
    errno === 'ENOENT' || errno === 'ENXIO' || errno === 'ENODEV'
      ? 'not-found'
      : errno === 'EBUSY'
        ? 'busy'
        : errno === 'EACCES' || errno === 'EPERM'
          ? 'permission-denied'
          : errno === 'EROFS'
            ? 'read-only'
            : errno === 'EINVAL'
              ? 'invalid-argument'
              : 'io';
  return new BlockDeviceError(code, `${detail}: ${String((error as Error)?.message ?? error)}`, {
    cause: error,
  });
}
