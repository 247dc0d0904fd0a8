/**
 * Prepare's "Set up this PBX": the settings go into the keydisk before it is staged, so every card gets a
 * keydisk that already holds them, written once with the rest of the card. A value the settings model
 * refuses stops Prepare before any card is erased.
 */
import type { KeydiskChoice, SettingsChanges } from '../../shared/api.js';
import { createKeydiskImage } from '../core/card/keydisk.js';
import type { KeydiskSource } from '../core/card/stage-images.js';
import { readCardSettings, writeCardSettings } from '../core/settings/index.js';
import { AppError } from './app-error.js';
import { keydiskFor, readKeydiskFile } from './keydisk.js';
import { checkedChanges, preview, viewOf } from './settings-api.js';

export interface KeydiskWithSettings {
  keydisk: KeydiskSource;
  /** The settings file written and the variables changed in it; null without settings. */
  settings: { file: string; changed: string[] } | null;
}

export async function keydiskWithSettings(
  choice: KeydiskChoice,
  requested: SettingsChanges | undefined,
): Promise<KeydiskWithSettings> {
  const changes = requested ? checkedChanges(requested) : null;
  if (!changes || (Object.keys(changes.set).length === 0 && changes.unset.length === 0)) {
    return { keydisk: keydiskFor(choice), settings: null };
  }
  if (choice.mode === 'none') {
    throw new AppError(
      'settings-refused',
      'The PBX settings are kept on the keydisk, and no keydisk was chosen. Choose a new keydisk or import one. No card was erased.',
    );
  }
  // The user's own kd.img is never changed: the settings go into a copy of its bytes.
  const bytes = choice.mode === 'new' ? createKeydiskImage() : await readKeydiskFile(choice.path);
  const checked = preview(viewOf(await readCardSettings(bytes)).base, changes);
  if (checked.errors.length > 0) {
    throw new AppError(
      'settings-refused',
      `These PBX settings cannot be written, so no card was erased: ${checked.errors.map((error) => error.message).join(' ')}`,
    );
  }
  const written = await writeCardSettings(bytes, changes);
  return {
    keydisk: { data: written.image ?? bytes },
    settings: { file: written.file, changed: written.changes.map((change) => change.name) },
  };
}
