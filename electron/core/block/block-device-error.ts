import { LayerError } from '../errors.js';
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

const MESSAGES: Record<BlockDeviceErrorCode, string> = {
  'out-of-range': 'The requested range lies outside the device.',
  'read-only': 'The device is read-only.',
  io: 'The device reported a read or write failure.',
  'not-found': 'The device or image file does not exist.',
  busy: 'The device is in use by another program or is mounted.',
  'permission-denied': 'Access to the device was denied; administrator rights may be needed.',
  'invalid-argument': 'The request to the device was malformed.',
  unsupported: 'This device or platform does not support the requested operation.',
  closed: 'The device has already been closed.',
};

export class BlockDeviceError extends LayerError<BlockDeviceErrorCode> {
  constructor(code: BlockDeviceErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, MESSAGES[code], detail, options);
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
