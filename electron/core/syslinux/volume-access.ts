/**
 * What the installer needs from a FAT volume. Kept this narrow so the installer stays independent of how
 * the FAT code is organised; `fat-volume-access.ts` adapts the real FAT implementation to it.
 */
export interface SyslinuxVolumeAccess {
  /** Creates or replaces a file. `contiguous` is a wish: the installer also copes with fragments. */
  writeFile(
    path: string,
    data: Uint8Array,
    options: { contiguous: boolean; attributes: number },
  ): Promise<void>;
  /** The file's contents, or undefined when it does not exist. */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /** The 512-byte sectors the file's data occupies, numbered from the filesystem start, in file order. */
  fileSectors(path: string): Promise<number[]>;
  /** Writes any cached metadata (FAT, directories) to the device. */
  flush(): Promise<void>;
}

/** FAT directory-entry attribute bits. */
export const ATTRIBUTE = { readOnly: 0x01, hidden: 0x02, system: 0x04, archive: 0x20 } as const;
