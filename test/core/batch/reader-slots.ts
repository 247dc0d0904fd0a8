import type { DriveRecord } from '../../../electron/core/drives/drive-record.js';

export const GB = 1e9;

/** One slot of a USB multi-card reader as drivelist reports it; `size: null` is an empty slot. */
export function reader(device: string, size: number | null, extra: Partial<DriveRecord> = {}): DriveRecord {
  return {
    device,
    raw: device,
    description: `Reader ${device}`,
    size,
    mountpoints: [],
    isReadOnly: false,
    isSystem: false,
    isVirtual: false,
    isRemovable: true,
    isCard: true,
    isUSB: true,
    busType: 'USB',
    error: null,
    ...extra,
  };
}
