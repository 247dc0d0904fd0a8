/**
 * Whole physical drives: Linux `/dev/sdX`, macOS `/dev/rdiskN`, Windows `\\.\PhysicalDriveN`.
 *
 * Linux: opened O_EXCL, so the kernel refuses us (EBUSY) while anything has the drive mounted or
 * exclusively open, and refuses others while we hold it.
 *
 * Verification reads must not be answered from the page cache, or a read-back "verifies" our own
 * cached writes rather than what the card stored. On Linux `readDirect` uses a second descriptor opened
 * with O_DIRECT. O_DIRECT demands that the memory address be aligned to the device's DMA alignment
 * (usually 512), and Node gives no control over where a Buffer lands. A Buffer's backing store never
 * moves once allocated, though, and malloc returns 16-byte-aligned memory, so we allocate one
 * over-sized staging buffer once and find the aligned start inside it by probing: the kernel answers
 * EINVAL for a misaligned address, and one of the 16-byte steps within 4096 bytes is aligned. Every
 * direct read then goes through that staging window and is copied out. Alternatives were rejected:
 * BLKFLSBUF and posix_fadvise(DONTNEED) need a native addon, and dropping caches globally is rude.
 *
 * macOS raw (`rdisk`) nodes bypass the buffer cache already, and Windows physical drives are read
 * uncached enough for verification after a flush; both demand sector-aligned offsets and lengths,
 * which `alignedIo` provides with read-modify-write at the edges. Those branches cannot run here.
 */
import { constants, promises as fsp, readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { BlockDevice } from './block-device.js';
import { BlockDeviceError, fromSystemError } from './block-device-error.js';
import { checkRange } from './check-range.js';

export interface RawBlockDeviceOptions {
  readOnly?: boolean;
  /** Size in bytes when the caller knows it (from the drive list); required where we cannot ask the OS. */
  size?: number;
  /** Overrides the platform (tests). */
  platform?: NodeJS.Platform;
}

const DIRECT_ALIGNMENT = 4096;
const DIRECT_CHUNK = 1024 * 1024;

export class RawBlockDevice implements BlockDevice {
  private handle: FileHandle | undefined;
  private directHandle: FileHandle | undefined;
  private staging: { buffer: Buffer; start: number } | undefined;

  private constructor(
    handle: FileHandle,
    readonly name: string,
    readonly size: number,
    readonly sectorSize: number,
    readonly readOnly: boolean,
    private readonly platform: NodeJS.Platform,
  ) {
    this.handle = handle;
  }

  static async open(path: string, options: RawBlockDeviceOptions = {}): Promise<RawBlockDevice> {
    const platform = options.platform ?? process.platform;
    const readOnly = options.readOnly ?? false;
    const access = readOnly ? constants.O_RDONLY : constants.O_RDWR;
    const flags = access | exclusiveFlag(platform);
    let handle: FileHandle | undefined;
    try {
      handle = await fsp.open(path, flags);
      const sectorSize = platform === 'linux' ? linuxSectorSize(await fsp.realpath(path)) : 512;
      const size =
        options.size ??
        (platform === 'linux' ? await linuxSize(path, handle) : await probeSize(handle, sectorSize));
      return new RawBlockDevice(handle, path, size, sectorSize, readOnly, platform);
    } catch (error) {
      await handle?.close().catch(() => {});
      throw fromSystemError(error, `opening ${path}`);
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const handle = this.openHandle();
    checkRange(this.name, this.size, offset, length);
    if (this.alignedIo && (offset % this.sectorSize !== 0 || length % this.sectorSize !== 0)) {
      const start = offset - (offset % this.sectorSize);
      const end = Math.ceil((offset + length) / this.sectorSize) * this.sectorSize;
      const whole = await readFully(handle, start, end - start, this.name);
      return whole.subarray(offset - start, offset - start + length);
    }
    return readFully(handle, offset, length, this.name);
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    const handle = this.openHandle();
    if (this.readOnly) throw new BlockDeviceError('read-only', this.name);
    checkRange(this.name, this.size, offset, data.length);
    if (this.alignedIo && (offset % this.sectorSize !== 0 || data.length % this.sectorSize !== 0)) {
      const start = offset - (offset % this.sectorSize);
      const end = Math.ceil((offset + data.length) / this.sectorSize) * this.sectorSize;
      const whole = await readFully(handle, start, end - start, this.name);
      whole.set(data, offset - start);
      return writeFully(handle, start, whole, this.name);
    }
    return writeFully(handle, offset, data, this.name);
  }

  /**
   * Reads what the medium holds, not what the page cache remembers (see the module comment).
   * On macOS and Windows this is `read` after the flush the caller has already done.
   */
  async readDirect(offset: number, length: number): Promise<Uint8Array> {
    this.openHandle();
    checkRange(this.name, this.size, offset, length);
    if (this.platform !== 'linux') return this.read(offset, length);
    const staging = await this.directStaging();
    const direct = this.directHandle as FileHandle;
    const result = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const want = offset + done;
      const start = want - (want % DIRECT_ALIGNMENT);
      const end = Math.min(this.size, Math.ceil((offset + length) / DIRECT_ALIGNMENT) * DIRECT_ALIGNMENT);
      const span = Math.min(DIRECT_CHUNK, end - start);
      const { bytesRead } = await direct
        .read(staging.buffer, staging.start, span, start)
        .catch((error: unknown) => {
          throw fromSystemError(error, `direct read of ${this.name} at ${start}`);
        });
      if (bytesRead < want - start + 1)
        throw new BlockDeviceError('io', `${this.name}: short direct read at ${start}`);
      const take = Math.min(bytesRead - (want - start), length - done);
      result.set(
        staging.buffer.subarray(staging.start + want - start, staging.start + want - start + take),
        done,
      );
      done += take;
    }
    return result;
  }

  async flush(): Promise<void> {
    const handle = this.openHandle();
    if (this.readOnly) return;
    try {
      await handle.sync();
    } catch (error) {
      throw fromSystemError(error, `flushing ${this.name}`);
    }
  }

  async close(): Promise<void> {
    const handles = [this.directHandle, this.handle];
    this.handle = undefined;
    this.directHandle = undefined;
    for (const handle of handles) await handle?.close();
  }

  private get alignedIo(): boolean {
    return this.platform === 'darwin' || this.platform === 'win32';
  }

  private async directStaging(): Promise<{ buffer: Buffer; start: number }> {
    if (this.staging) return this.staging;
    if (constants.O_DIRECT === undefined)
      throw new BlockDeviceError('unsupported', 'O_DIRECT is not available');
    try {
      this.directHandle = await fsp.open(this.name, constants.O_RDONLY | constants.O_DIRECT);
    } catch (error) {
      throw fromSystemError(error, `opening ${this.name} for uncached reads`);
    }
    // allocUnsafeSlow: a backing store of its own, never a slice of Node's shared pool.
    const buffer = Buffer.allocUnsafeSlow(DIRECT_CHUNK + DIRECT_ALIGNMENT);
    const probeLength = Math.min(DIRECT_ALIGNMENT, this.size);
    for (let start = 0; start < DIRECT_ALIGNMENT; start += 16) {
      try {
        await this.directHandle.read(buffer, start, probeLength, 0);
        this.staging = { buffer, start };
        return this.staging;
      } catch (error) {
        if ((error as { code?: string }).code !== 'EINVAL')
          throw fromSystemError(error, `direct read of ${this.name}`);
      }
    }
    throw new BlockDeviceError('unsupported', `${this.name}: no buffer alignment accepted by O_DIRECT`);
  }

  private openHandle(): FileHandle {
    if (!this.handle) throw new BlockDeviceError('closed', this.name);
    return this.handle;
  }
}

/**
 * Linux: O_EXCL on a block device fails with EBUSY while it is mounted or held by another O_EXCL open.
 * macOS: O_EXLOCK (flock semantics) where Node exposes it. Windows: Node has no share-mode flag, so
 * exclusivity there comes from the caller locking and dismounting the volumes first.
 */
function exclusiveFlag(platform: NodeJS.Platform): number {
  if (platform === 'linux') return constants.O_EXCL;
  if (platform === 'darwin')
    return (constants as unknown as Record<string, number | undefined>).O_EXLOCK ?? 0;
  return 0;
}

async function readFully(
  handle: FileHandle,
  offset: number,
  length: number,
  name: string,
): Promise<Uint8Array> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  try {
    while (done < length) {
      const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
      if (bytesRead === 0)
        throw new BlockDeviceError('out-of-range', `${name}: end of device at ${offset + done}`);
      done += bytesRead;
    }
  } catch (error) {
    throw fromSystemError(error, `reading ${name} at ${offset}`);
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}

async function writeFully(handle: FileHandle, offset: number, data: Uint8Array, name: string): Promise<void> {
  let done = 0;
  try {
    while (done < data.length) {
      const { bytesWritten } = await handle.write(data, done, data.length - done, offset + done);
      done += bytesWritten;
    }
  } catch (error) {
    throw fromSystemError(error, `writing ${name} at ${offset}`);
  }
}

/** sysfs knows the size of every block device in 512-byte units, whatever its sector size. */
async function linuxSize(path: string, handle: FileHandle): Promise<number> {
  const real = await fsp.realpath(path);
  try {
    return Number(readFileSync(`/sys/class/block/${basename(real)}/size`, 'utf8').trim()) * 512;
  } catch {
    const { size } = await handle.stat();
    if (size > 0) return size;
    return probeSize(handle, 512);
  }
}

function linuxSectorSize(realPath: string): number {
  try {
    const name = basename(realPath);
    const text = readFileSync(`/sys/class/block/${name}/queue/logical_block_size`, 'utf8');
    const value = Number(text.trim());
    return value > 0 ? value : 512;
  } catch {
    return 512;
  }
}

/** Finds the size by bisection on whether a sector can be read: for platforms without a size query. */
async function probeSize(handle: FileHandle, sectorSize: number): Promise<number> {
  const buffer = Buffer.alloc(sectorSize);
  const readable = async (sector: number): Promise<boolean> => {
    try {
      const { bytesRead } = await handle.read(buffer, 0, sectorSize, sector * sectorSize);
      return bytesRead === sectorSize;
    } catch {
      return false;
    }
  };
  let low = 0; // known readable count
  let high = 1;
  while ((await readable(high - 1)) && high < 2 ** 42) {
    low = high;
    high *= 2;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (await readable(middle - 1)) low = middle;
    else high = middle;
  }
  return low * sectorSize;
}
