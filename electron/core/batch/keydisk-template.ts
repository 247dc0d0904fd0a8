/**
 * Per-card keydisks: a template kd.img (ext2) copied for each card with that card's CSV row written into
 * AstLinux's settings file, `/rc.conf.d/user.conf` on the keydisk (mounted at /mnt/kd on the box), by the
 * same settings code as a single card's: the template's own lines stay, settings it already has are
 * replaced in place, the rest appended under a comment naming the card.
 */
import { checkKeydisk } from '../card/keydisk.js';
import { readCardSettings, SETTINGS_DIR, USER_CONF, writeCardSettings } from '../settings/card-settings.js';
import { SettingsError } from '../settings/settings-error.js';
import { BatchError } from './batch-error.js';
import type { CardValues } from './card-values.js';

export const USER_CONF_DIR = SETTINGS_DIR;
export { USER_CONF };

/**
 * The settings to write for a row. AstLinux has no default netmask, so a row giving only an address gets
 * the usual 255.255.255.0 unless the template sets one — as batches always have; a row says otherwise with
 * a netmask column or an address like 10.0.0.5/16.
 */
export function rowChanges(
  card: CardValues,
  template: Readonly<Record<string, string>>,
): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(card.settings)) {
    set[name] = value;
    if (name === 'EXTIP' && value && !card.settings.EXTNM && !template.EXTNM) set.EXTNM = '255.255.255.0';
  }
  return set;
}

/** A copy of the template with the card's row applied; the template itself is never changed. */
export async function keydiskForCard(template: Uint8Array, card: CardValues): Promise<Uint8Array> {
  checkKeydisk(template, 'The keydisk template');
  const label = card.values.serial_label || card.id;
  try {
    const current = await readCardSettings(template);
    const values = Object.fromEntries(
      Object.entries(current.effective).map(([name, entry]) => [name, entry.value]),
    );
    const result = await writeCardSettings(
      template,
      { set: rowChanges(card, values) },
      { appendComment: `Set by astcard batch for ${label}` },
    );
    return result.image as Uint8Array;
  } catch (error) {
    if (
      error instanceof SettingsError &&
      (error.code === 'invalid-setting' || error.code === 'inconsistent-settings')
    ) {
      throw new BatchError('bad-value', `Row ${card.row} of the CSV (${card.id}): ${error.message}`, {
        cause: error,
      });
    }
    const reason =
      error instanceof SettingsError
        ? error.message
        : `${error instanceof Error ? error.message : String(error)}. Use a fresh kd.img.`;
    throw new BatchError('bad-template', `The keydisk template cannot take row ${card.row}: ${reason}`, {
      cause: error,
    });
  }
}
