/**
 * A PBX's settings on its card's keydisk. On kd.img they are changed the way every kd.img change is made —
 * the edited keydisk written beside the old one, read back, and renamed over it — so a cut leaves the old
 * settings or the new ones, never a keydisk in between. On an ASTKD partition (gigabytes, no room for a
 * second copy) the file is changed in place, libext2fs's writes held back until it has finished.
 */
import type { BlockDevice } from '../block/block-device.js';
import type { SettingIssue } from '../settings/changes.js';
import {
  type CardSettings,
  readCardSettings,
  type SettingsChanges,
  writeCardSettings,
} from '../settings/index.js';
import type { SettingChange } from '../settings/user-conf-edit.js';
import { keydiskPartition, putKeydiskOnCard, readKeydiskFromCard } from './keydisk.js';
import type { ProgressListener } from './progress.js';

export interface ChangedSettings {
  /** The settings file on the keydisk (/rc.conf.d/user.conf, or /rc.conf on an old keydisk). */
  file: string;
  /** The lines that changed; none when every value was already as asked (nothing is written then). */
  changes: SettingChange[];
  /** The file as it is now on the card. */
  text: string;
  warnings: SettingIssue[];
}

export async function readSettingsOnCard(disk: BlockDevice): Promise<CardSettings> {
  const partition = await keydiskPartition(disk);
  return readCardSettings(partition ? partition.device : await readKeydiskFromCard(disk, null));
}

export async function changeSettingsOnCard(
  disk: BlockDevice,
  changes: SettingsChanges,
  options: { onProgress?: ProgressListener; signal?: AbortSignal } = {},
): Promise<ChangedSettings> {
  const partition = await keydiskPartition(disk);
  if (partition) {
    const inPlace = await writeCardSettings(partition.device, changes);
    return { file: inPlace.file, changes: inPlace.changes, text: inPlace.text, warnings: inPlace.warnings };
  }
  const written = await writeCardSettings(await readKeydiskFromCard(disk, null), changes);
  if (written.changes.length > 0 && written.image) {
    await putKeydiskOnCard(disk, written.image, { replace: true, ...options });
  }
  return { file: written.file, changes: written.changes, text: written.text, warnings: written.warnings };
}
