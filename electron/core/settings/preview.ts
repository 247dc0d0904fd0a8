/**
 * What a change to the settings would do, without a keydisk: the new file text, the lines that change,
 * the problems per variable, and the values AstLinux would end up with once it has merged its defaults and
 * every rc.conf.d file. The app's form and preview use this; writing to a keydisk uses the same.
 */
import { checkChanges, checkCombination, type SettingIssue, type SettingsChanges } from './changes.js';
import { astlinuxDefaults } from './model.js';
import { readUserConf } from './user-conf.js';
import { type EditOptions, editUserConf, type SettingChange } from './user-conf-edit.js';

export interface SettingsLayer {
  /** Where the values come from, as a person would name it ("rc.conf.d/gui.network.conf"). */
  file: string;
  values: Record<string, string>;
}

export interface PreviewContext {
  /** The settings files AstLinux reads before this one, in its order. */
  before?: SettingsLayer[];
  /** The settings files it reads after this one: what they set wins over this file. */
  after?: SettingsLayer[];
  /** The file is the old single /mnt/kd/rc.conf, which AstLinux reads instead of its defaults. */
  replacesDefaults?: boolean;
  /** How the edited file is named in messages; "user.conf" unless said. */
  file?: string;
}

export interface EffectiveValue {
  value: string;
  /** The file it comes from, or "AstLinux default". */
  from: string;
}

export interface SettingsPreview {
  text: string;
  unchanged: boolean;
  changes: SettingChange[];
  /** Problems that stop the change from being written. */
  errors: SettingIssue[];
  /** Likely mistakes AstLinux would still run with, and problems the file already had. */
  warnings: SettingIssue[];
  effective: Record<string, EffectiveValue>;
}

export const ASTLINUX_DEFAULT = 'AstLinux default';

export function effectiveValues(
  layers: readonly SettingsLayer[],
  withDefaults = true,
): Record<string, EffectiveValue> {
  const effective: Record<string, EffectiveValue> = {};
  if (withDefaults) {
    for (const [name, value] of Object.entries(astlinuxDefaults()))
      effective[name] = { value, from: ASTLINUX_DEFAULT };
  }
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer.values)) effective[name] = { value, from: layer.file };
  }
  return effective;
}

export function previewUserConf(
  currentText: string,
  changes: SettingsChanges,
  context: PreviewContext & EditOptions = {},
): SettingsPreview {
  const file = context.file ?? 'user.conf';
  const checked = checkChanges(changes);
  const edit = editUserConf(currentText, checked, context);
  const errors = [...checked.errors, ...edit.errors];
  const warnings: SettingIssue[] = readUserConf(currentText)
    .problems.filter((problem) => !problem.blocksEditing)
    .map((problem) => ({
      names: [],
      kind: 'file' as const,
      message: `${file} line ${problem.line} ${problem.message}`,
    }));

  const before = context.before ?? [];
  const after = context.after ?? [];
  const layers = [...before, { file, values: readUserConf(edit.text).values }, ...after];
  const effective = effectiveValues(layers, !context.replacesDefaults);
  const values = Object.fromEntries(Object.entries(effective).map(([name, entry]) => [name, entry.value]));

  // Problems of the whole only stop this change when it touches them; ones already on the card are warned of.
  const touched = new Set([...Object.keys(checked.set), ...checked.unset]);
  const combination = checkCombination(values);
  for (const issue of combination.errors) {
    if (issue.names.some((name) => touched.has(name))) errors.push(issue);
    else warnings.push({ ...issue, message: `Already so before this change: ${issue.message}` });
  }
  warnings.push(...combination.warnings);
  for (const name of Object.keys(checked.set)) {
    const later = [...after].reverse().find((layer) => name in layer.values);
    if (later) {
      warnings.push({
        names: [name],
        kind: 'combination',
        message: `${later.file} also sets ${name} and AstLinux reads it after ${file}, so its value "${later.values[name]}" is the one that counts.`,
      });
    }
  }
  return {
    text: edit.text,
    unchanged: edit.text === currentText,
    changes: edit.changes,
    errors,
    warnings,
    effective,
  };
}
