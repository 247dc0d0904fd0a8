import { AstcardError } from '../errors.js';

/** Why reading or changing a PBX's settings on its keydisk refused or failed. */
export type SettingsErrorCode =
  /** A variable name or value cannot be used (not a host name, an address, a known time zone…). */
  | 'invalid-setting'
  /** Values that are each fine but do not work together (a static address without a netmask…). */
  | 'inconsistent-settings'
  /** The settings file cannot be edited safely as it stands (a quote that never closes…). */
  | 'unreadable-settings'
  /** The keydisk cannot be opened as ext2, or is in a state where writing to it is unsafe. */
  | 'bad-keydisk'
  /** The keydisk has no room, or no inode, for the changed settings file. */
  | 'keydisk-full'
  /** What was read back from the keydisk after writing differs from what was written. */
  | 'verify-failed';

export class SettingsError extends AstcardError {
  declare readonly code: SettingsErrorCode;

  constructor(code: SettingsErrorCode, message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(code, message, options);
  }
}
