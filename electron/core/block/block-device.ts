/**
 * The one contract between the filesystem code and whatever medium holds it (image file, raw device,
 * a partition window, memory). FAT, MBR and the SYSLINUX installer only ever talk to this.
 *
 * Offsets and lengths are bytes as plain numbers: 2^53 bytes is far beyond any card.
 */
export interface BlockDevice {
  /** Total size in bytes. */
  readonly size: number;
  /** Logical sector size in bytes (512 on every card we support; 4096-byte devices exist). */
  readonly sectorSize: number;
  /** Human-readable name for messages and logs (a path, or "memory"). */
  readonly name: string;
  /** Reads exactly `length` bytes at `offset`; throws a BlockDeviceError past the end. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional: reads `target.length` bytes at `offset` into `target`. Streaming through a few reused
   * buffers this way spares a fresh allocation (and its page faults) per chunk of a gigabyte read.
   */
  readInto?(offset: number, target: Uint8Array): Promise<void>;
  /** Writes all of `data` at `offset`; throws a BlockDeviceError past the end or on a read-only device. */
  write(offset: number, data: Uint8Array): Promise<void>;
  /** Makes every completed write durable on the medium. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
