/**
 * Files on an ext2 keydisk through the ext2fs wasm package, without ever writing half a change: while the
 * volume is mounted every write is held in memory (file-disk's recorded writes), so reading never changes
 * the keydisk at all, and a change reaches the device only once libext2fs has finished and unmounted.
 */
import type { BlockDevice } from '../block/block-device.js';
import type { HeldWritesDisk } from './held-writes-disk.js';
import { SettingsError } from './settings-error.js';

export interface KeydiskFs {
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array, options?: { mode?: number }): Promise<void>;
  mkdir(path: string, mode: number): Promise<void>;
}

/** The superblock's word on whether writing is safe: an ext3/4 journal still to replay, or known errors. */
export async function keydiskState(
  device: BlockDevice,
): Promise<{ unsafe: string | null; unclean: boolean }> {
  if (device.size < 2048) return { unsafe: 'it is too small to hold an ext2 filesystem', unclean: false };
  const sb = await device.read(1024, 1024);
  const view = new DataView(sb.buffer, sb.byteOffset, sb.byteLength);
  if (view.getUint16(56, true) !== 0xef53) return { unsafe: 'it holds no ext2 filesystem', unclean: false };
  const state = view.getUint16(58, true);
  const incompat = view.getUint32(96, true);
  if (incompat & 0x4) {
    return {
      unsafe: 'its journal still holds changes that were never written out (it was not shut down cleanly)',
      unclean: true,
    };
  }
  if (state & 0x2) return { unsafe: 'its filesystem is marked as having errors', unclean: true };
  return { unsafe: null, unclean: (state & 0x1) === 0 };
}

/**
 * The calls used here, as the package's lib/fs.js defines them (it ships no types, and its options
 * handling lets defaults win): readFile always decodes as UTF-8, so files are read through open/read to
 * keep every byte; writeFile ignores the mode asked for (0666) and turns anything but a Buffer into
 * String(data); mkdir takes the mode as a plain number; a file handle's close() does not wait.
 */
interface Ext2Calls {
  readdir(path: string): Promise<string[]>;
  open(path: string, flags: string): Promise<{ fd: number }>;
  fstat(fd: number): Promise<{ size: number; isFile(): boolean }>;
  read(
    fd: number,
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  close(fd: number): Promise<void>;
  writeFile(path: string, data: Buffer): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  mkdir(path: string, mode: number): Promise<void>;
}

function keydiskFs(calls: Ext2Calls): KeydiskFs {
  return {
    readdir: (path) => calls.readdir(path),
    readFile: async (path) => {
      const { fd } = await calls.open(path, 'r');
      try {
        const stats = await calls.fstat(fd);
        if (!stats.isFile()) throw new Error(`${path} is not a file`);
        const buffer = Buffer.alloc(stats.size);
        let done = 0;
        while (done < stats.size) {
          const { bytesRead } = await calls.read(fd, buffer, done, stats.size - done, done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return new Uint8Array(buffer.subarray(0, done));
      } finally {
        await calls.close(fd);
      }
    },
    writeFile: async (path, data, options) => {
      await calls.writeFile(path, Buffer.from(data));
      if (options?.mode !== undefined) await calls.chmod(path, options.mode);
    },
    mkdir: (path, mode) => calls.mkdir(path, mode),
  };
}

async function mountHeld<T>(
  device: BlockDevice,
  fn: (fs: KeydiskFs) => Promise<T>,
): Promise<{ result: T; disk: HeldWritesDisk }> {
  // Loaded only when a keydisk is opened: the wasm module installs process-wide error handlers, and
  // file-disk alone takes longer to load than the rest of an `astcard inspect`.
  const { HeldWritesDisk } = await import('./held-writes-disk.js');
  const disk = new HeldWritesDisk(device);
  const { withMountedDisk } = await import('ext2fs');
  let mounted = false;
  try {
    const result = await withMountedDisk(disk, 0, async ({ promises }) => {
      mounted = true;
      return fn(keydiskFs(promises as unknown as Ext2Calls));
    });
    return { result, disk };
  } catch (error) {
    if (error instanceof SettingsError) throw error;
    if (!mounted) {
      throw new SettingsError(
        'bad-keydisk',
        `${device.name} cannot be opened as an ext2 keydisk. Check that it is the keydisk (kd.img or the ASTKD partition).`,
        { cause: error, detail: (error as Error).message },
      );
    }
    throw fsError(error, device);
  }
}

/** libext2fs's own error numbers (com_err table "ext2") for a filesystem out of blocks or inodes. */
const EXT2_ET_BASE = 2133571328;
const OUT_OF_SPACE = new Set([EXT2_ET_BASE + 72, EXT2_ET_BASE + 73]);

function fsError(error: unknown, device: BlockDevice): SettingsError {
  const { code, errno } = error as NodeJS.ErrnoException;
  if (code === 'ENOSPC' || code === 'EDQUOT' || (errno !== undefined && OUT_OF_SPACE.has(errno))) {
    return new SettingsError(
      'keydisk-full',
      `The keydisk on ${device.name} is full: there is no room for the settings file. Free space on it, or use a bigger keydisk.`,
      { cause: error },
    );
  }
  return new SettingsError(
    'bad-keydisk',
    `The keydisk on ${device.name} could not be read or written (${(error as Error).message}). Check it with e2fsck, or make a new one.`,
    { cause: error, detail: (error as Error).message },
  );
}

/** Reads from the keydisk; nothing is ever written to the device, whatever libext2fs does on mount. */
export async function readKeydisk<T>(device: BlockDevice, fn: (fs: KeydiskFs) => Promise<T>): Promise<T> {
  return (await mountHeld(device, fn)).result;
}

/**
 * Runs `fn` against the keydisk, then puts what it wrote onto the device and flushes. Refuses a volume
 * whose journal needs replaying or that is marked with errors: writing there could undo or deepen damage.
 */
export async function changeKeydisk<T>(device: BlockDevice, fn: (fs: KeydiskFs) => Promise<T>): Promise<T> {
  const { unsafe } = await keydiskState(device);
  if (unsafe) {
    throw new SettingsError(
      'bad-keydisk',
      `The keydisk on ${device.name} is not safe to change: ${unsafe}. Start the PBX once and shut it down properly, or run e2fsck on the keydisk, then try again.`,
    );
  }
  const { result, disk } = await mountHeld(device, fn);
  // Highest offsets first: in each ext2 block group the data blocks lie above its bitmaps and inode table,
  // and the superblock and group descriptors come first of all, so new file data reaches the device before
  // the metadata that points to it. This narrows what a cut can leave behind; it cannot close it.
  const writes = disk.heldWrites().sort((a, b) => b.offset - a.offset);
  try {
    for (const { offset, data } of writes) await device.write(offset, data);
    await device.flush();
  } catch (error) {
    throw fsError(error, device);
  }
  return result;
}
