/**
 * A PBX's settings on its keydisk (issue 19): the model of the common AstLinux variables with their checks,
 * a byte-preserving reader and editor for rc.conf.d/user.conf, and reading and writing it on a keydisk.
 */
export {
  type CardSettings,
  type KeydiskVolume,
  LEGACY_RC_CONF,
  readCardSettings,
  SETTINGS_DIR,
  USER_CONF,
  type WriteSettingsOptions,
  type WriteSettingsResult,
  writeCardSettings,
} from './card-settings.js';
export {
  applyChanges,
  type CheckedChanges,
  checkChanges,
  checkCombination,
  type SettingIssue,
  type SettingsChanges,
} from './changes.js';
export { type Check, checkName, checkText, isIpv6, parseIpv4 } from './checks.js';
export {
  astlinuxDefaults,
  COMMON_SETTINGS,
  checkSetting,
  type SettingDefinition,
  type SettingGroup,
  settingDefinition,
} from './model.js';
export {
  ASTLINUX_DEFAULT,
  type EffectiveValue,
  effectiveValues,
  type PreviewContext,
  previewUserConf,
  type SettingsLayer,
  type SettingsPreview,
} from './preview.js';
export { SettingsError, type SettingsErrorCode } from './settings-error.js';
export { quoteValue } from './shell-quote.js';
export { TIME_ZONES, TZDATA_VERSION } from './time-zones.js';
export { type ConfProblem, type ConfValues, type ConfVariable, readUserConf } from './user-conf.js';
export { type EditResult, editUserConf, type SettingChange } from './user-conf-edit.js';
