export type { BlockDevice } from './block-device.js';
export { BlockDeviceError, type BlockDeviceErrorCode } from './block-device-error.js';
export { FileBlockDevice, type FileBlockDeviceOptions } from './file-block-device.js';
export { MemoryBlockDevice } from './memory-block-device.js';
export { PartitionBlockDevice } from './partition-block-device.js';
export { RawBlockDevice, type RawBlockDeviceOptions } from './raw-block-device.js';
