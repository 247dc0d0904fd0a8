export { checkBinaries, loadSyslinuxBinaries, type SyslinuxBinaries } from './binaries.js';
export { openFatVolumeAccess } from './fat-volume-access.js';
export {
  type InspectSyslinuxOptions,
  inspectSyslinux,
  type SyslinuxInspection,
  type SyslinuxProblem,
  type SyslinuxProblemCode,
} from './inspect.js';
export { type InstallSyslinuxOptions, type InstallSyslinuxResult, installSyslinux } from './install.js';
export { patchLdlinux } from './patch-ldlinux.js';
export { SyslinuxError, type SyslinuxErrorCode } from './syslinux-error.js';
export type { SyslinuxVolumeAccess } from './volume-access.js';
