/** The parts of the ext2fs wasm package (no types of its own) that keydisk templating uses. */
declare module 'ext2fs' {
  import type { Disk } from 'file-disk';

  interface Ext2Promises {
    readFile(path: string, encoding?: 'utf8'): Promise<string | Uint8Array>;
    writeFile(path: string, data: string | Uint8Array, options?: { mode?: number }): Promise<void>;
    mkdir(path: string, options?: { mode?: number }): Promise<void>;
    readdir(path: string): Promise<string[]>;
  }
  interface Ext2Fs {
    promises: Ext2Promises;
  }
  export function withMountedDisk<T>(disk: Disk, offset: number, fn: (fs: Ext2Fs) => Promise<T>): Promise<T>;
}
