/**
 * A drive as drivelist describes it. We keep our own copy of the shape (the fields we use, typed as
 * loosely as drivelist fills them on each OS) so classification is a pure function over plain records:
 * recorded outputs of Linux, Windows and macOS feed the same code the live list does.
 */
export interface DriveMountpoint {
  path: string;
  label?: string | null;
}

export interface DriveRecord {
  /** Linux `/dev/sdb`, macOS `/dev/disk2`, Windows `\\.\PhysicalDrive1`. */
  device: string;
  /** What to open for raw access (macOS `/dev/rdisk2`); on Linux the kernel name. */
  raw: string;
  description: string;
  /** Bytes; null for an empty slot of a card reader or a device with no medium. */
  size: number | null;
  blockSize?: number;
  logicalBlockSize?: number;
  mountpoints: DriveMountpoint[];
  isReadOnly: boolean;
  isSystem: boolean;
  isVirtual: boolean | null;
  isRemovable: boolean;
  isCard: boolean | null;
  isUSB: boolean | null;
  isUAS?: boolean | null;
  isSCSI?: boolean | null;
  busType: string;
  partitionTableType?: 'mbr' | 'gpt' | null;
  /** drivelist's per-drive failure text, when it could not read one. */
  error: unknown;
  enumerator?: string;
}

/** Keeps only the fields we rely on, so a record can be logged, compared and sent over IPC. */
export function toDriveRecord(raw: Record<string, unknown>): DriveRecord {
  const bool = (value: unknown) => value === true;
  const maybe = (value: unknown) => (typeof value === 'boolean' ? value : null);
  const mountpoints = Array.isArray(raw.mountpoints) ? raw.mountpoints : [];
  const record: DriveRecord = {
    device: String(raw.device ?? ''),
    raw: String(raw.raw ?? raw.device ?? ''),
    description: typeof raw.description === 'string' ? raw.description : '',
    size: typeof raw.size === 'number' && raw.size > 0 ? raw.size : null,
    mountpoints: mountpoints
      .filter((entry): entry is { path: string; label?: unknown } => typeof entry?.path === 'string')
      .map((entry) => ({ path: entry.path, label: typeof entry.label === 'string' ? entry.label : null })),
    isReadOnly: bool(raw.isReadOnly),
    isSystem: bool(raw.isSystem),
    isVirtual: maybe(raw.isVirtual),
    isRemovable: bool(raw.isRemovable),
    isCard: maybe(raw.isCard),
    isUSB: maybe(raw.isUSB),
    isUAS: maybe(raw.isUAS),
    isSCSI: maybe(raw.isSCSI),
    busType: typeof raw.busType === 'string' ? raw.busType : 'UNKNOWN',
    partitionTableType:
      raw.partitionTableType === 'mbr' || raw.partitionTableType === 'gpt' ? raw.partitionTableType : null,
    error: raw.error ?? null,
  };
  if (typeof raw.blockSize === 'number') record.blockSize = raw.blockSize;
  if (typeof raw.logicalBlockSize === 'number') record.logicalBlockSize = raw.logicalBlockSize;
  if (typeof raw.enumerator === 'string') record.enumerator = raw.enumerator;
  return record;
}
