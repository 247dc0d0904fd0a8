export {
  ACTIVE,
  buildPartitionTable,
  chs,
  DEFAULT_FIRST_LBA,
  type DiskLayout,
  detectLayout,
  PARTITION_TYPE,
  type PartitionEntry,
  type PartitionTable,
  parseMbr,
  partitionDevice,
  readMbr,
  type SinglePartitionOptions,
  writeBootCode,
  writePartitionTable,
} from './mbr.js';
export { MbrError, type MbrErrorCode } from './mbr-error.js';
