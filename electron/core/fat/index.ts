export { type FatGeometry, type FatType, looksLikeFatBootSector, parseBootSector } from './boot-sector.js';
export { FatError, type FatErrorCode } from './fat-error.js';
export {
  type FatAttributes,
  type FatStat,
  FatVolume,
  type OpenFatOptions,
  openFat,
  type RenameOptions,
  type VolumeInfo,
  type WriteFileOptions,
} from './fat-volume.js';
export { type FormatOptions, formatFat } from './format.js';
