export { type FatGeometry, type FatType, looksLikeFatBootSector, parseBootSector } from './boot-sector.js';
export { FatError, type FatErrorCode, VolumeDamagedError } from './fat-error.js';
export {
  type FatAttributes,
  type FatStat,
  FatVolume,
  type OpenFatOptions,
  openFat,
  type RenameOptions,
  type RepairOutcome,
  type RepairScope,
  type VolumeInfo,
  type VolumeProblem,
  type VolumeProblemCode,
  type WriteFileOptions,
} from './fat-volume.js';
export { type FormatOptions, formatFat } from './format.js';
