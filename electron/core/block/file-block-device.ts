import { constants, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { BlockDevice } from './block-device.js';
import { BlockDeviceError, fromSystemError } from './block-device-error.js';
import { checkRange } from './check-range.js';

// Reads up to this size are made synchronously: a file system's metadata reads (a sector, a FAT, a directory)
// come from the page cache in microseconds, and a trip through libuv's thread pool costs more than that — about
// 10 ms over the 40 reads of an `inspect --quick`. Larger reads stay asynchronous, so reading ahead still
// overlaps hashing.
const SMALL_READ = 64 * 1024;

export interface FileBlockDeviceOptions {
  readOnly?: boolean;
  sectorSize?: number;
}

/** An image file. New images are sparse: sized with ftruncate, so untouched ranges take no disk space. */
export class FileBlockDevice implements BlockDevice {
  private handle: FileHandle | undefined;

  private constructor(
    handle: FileHandle,
    readonly name: string,
    readonly size: number,
    readonly sectorSize: number,
    readonly readOnly: boolean,
  ) {
    this.handle = handle;
  }

  /** Creates (or empties) `path` and sizes it to `size` bytes without writing them. */
  static async create(
    path: string,
    size: number,
    options: { sectorSize?: number; exclusive?: boolean } = {},
  ): Promise<FileBlockDevice> {
    const sectorSize = options.sectorSize ?? 512;
    if (!Number.isSafeInteger(size) || size <= 0 || size % sectorSize !== 0) {
      throw new BlockDeviceError(
        'invalid-argument',
        `${path}: size ${size} is not a positive multiple of ${sectorSize}`,
      );
    }
    let handle: FileHandle | undefined;
    try {
      // Exclusive: only a file this call brings into being, never one (or a link) already at that name.
      const flags = options.exclusive ? constants.O_EXCL | constants.O_NOFOLLOW : constants.O_TRUNC;
      handle = await open(path, constants.O_RDWR | constants.O_CREAT | flags, 0o644);
      await handle.truncate(size);
      return new FileBlockDevice(handle, path, size, sectorSize, false);
    } catch (error) {
      await handle?.close().catch(() => {});
      throw fromSystemError(error, `creating ${path}`);
    }
  }

  /** Opens an existing image; its size is the file's size. */
  static async open(path: string, options: FileBlockDeviceOptions = {}): Promise<FileBlockDevice> {
    const readOnly = options.readOnly ?? false;
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, readOnly ? constants.O_RDONLY : constants.O_RDWR);
      const { size } = await handle.stat();
      return new FileBlockDevice(handle, path, size, options.sectorSize ?? 512, readOnly);
    } catch (error) {
      await handle?.close().catch(() => {});
      throw fromSystemError(error, `opening ${path}`);
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const target = Buffer.allocUnsafe(length);
    await this.readInto(offset, target);
    return new Uint8Array(target.buffer, target.byteOffset, length);
  }

  async readInto(offset: number, target: Uint8Array): Promise<void> {
    const handle = this.openHandle();
    const length = target.length;
    checkRange(this.name, this.size, offset, length);
    let done = 0;
    const small = length <= SMALL_READ;
    try {
      while (done < length) {
        const bytesRead = small
          ? readSync(handle.fd, target, done, length - done, offset + done)
          : (await handle.read(target, done, length - done, offset + done)).bytesRead;
        // A sparse or short file reads as zeros past its written end.
        if (bytesRead === 0) {
          target.fill(0, done);
          break;
        }
        done += bytesRead;
      }
    } catch (error) {
      throw fromSystemError(error, `reading ${this.name} at ${offset}`);
    }
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    const handle = this.openHandle();
    if (this.readOnly) throw new BlockDeviceError('read-only', this.name);
    checkRange(this.name, this.size, offset, data.length);
    let done = 0;
    try {
      while (done < data.length) {
        const { bytesWritten } = await handle.write(data, done, data.length - done, offset + done);
        done += bytesWritten;
      }
    } catch (error) {
      throw fromSystemError(error, `writing ${this.name} at ${offset}`);
    }
  }

  async flush(): Promise<void> {
    const handle = this.openHandle();
    if (this.readOnly) return;
    try {
      await handle.datasync();
    } catch (error) {
      throw fromSystemError(error, `flushing ${this.name}`);
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private openHandle(): FileHandle {
    if (!this.handle) throw new BlockDeviceError('closed', this.name);
    return this.handle;
  }
}
