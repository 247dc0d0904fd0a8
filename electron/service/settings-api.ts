/**
 * The PBX settings in the window (issue 19): the form's model, a card's or a keydisk file's settings, the
 * preview of a change — computed by the core's settings model, so the form's verdicts are the writer's —
 * and saving, which is a `settings` writer job like every other change to a card.
 */
import type {
  AstcardApi,
  CardSummary,
  SettingsBase,
  SettingsChanges,
  SettingsModel,
  SettingsPreview,
  SettingsView,
} from '../../shared/api.js';
import { readSettingsOnCard } from '../core/card/card-settings.js';
import { createKeydiskImage } from '../core/card/keydisk.js';
import { openTarget } from '../core/card/target.js';
import {
  type CardSettings,
  COMMON_SETTINGS,
  previewUserConf,
  readCardSettings,
  TIME_ZONES,
} from '../core/settings/index.js';
import { AppError } from './app-error.js';
import type { CardWork } from './card-work.js';
import { readKeydiskFile } from './keydisk.js';

export interface SettingsApiDeps {
  /** The card as listed, or the card-gone refusal. */
  card(id: string): Promise<CardSummary>;
  work: CardWork;
}

type SettingsMethods = 'settingsModel' | 'readSettings' | 'previewSettings' | 'changeSettings';

export function settingsApi(deps: SettingsApiDeps): Pick<AstcardApi, SettingsMethods> {
  const readCard = (id: string) =>
    deps.work.queue(id, async () => {
      await deps.card(id);
      const disk = await openTarget(id, { readOnly: true });
      try {
        return viewOf(await readSettingsOnCard(disk));
      } finally {
        await disk.close();
      }
    });

  return {
    async settingsModel(): Promise<SettingsModel> {
      return {
        fields: COMMON_SETTINGS.map((field) => ({
          name: field.name,
          group: field.group,
          label: field.label,
          help: field.help,
          astlinuxDefault: field.astlinuxDefault ?? null,
        })),
        timeZones: TIME_ZONES.slice(),
      };
    },
    async readSettings(source) {
      if ('cardId' in source) return readCard(source.cardId);
      if ('keydiskFile' in source)
        return viewOf(await readCardSettings(await readKeydiskFile(source.keydiskFile)));
      return viewOf(await readCardSettings(createKeydiskImage()));
    },
    async previewSettings(base, changes) {
      return preview(checkedBase(base), checkedChanges(changes));
    },
    async changeSettings(id, changes) {
      const { set, unset } = checkedChanges(changes);
      const result = await deps.work.change(id, { kind: 'settings', set, unset });
      // What the keydisk says now, read back: the window shows what was written, not what was asked.
      const settings = await readCard(id);
      return { file: result.file, changes: result.changes, warnings: result.warnings, settings };
    },
  };
}

/** The core's preview in the contract's terms. Pure: the base carries everything it needs. */
export function preview(base: SettingsBase, changes: SettingsChanges): SettingsPreview {
  const result = previewUserConf(base.text, changes, {
    before: base.before,
    after: base.after,
    replacesDefaults: base.replacesDefaults,
    file: base.file.replace(/^\//, ''),
  });
  return {
    text: result.text,
    unchanged: result.unchanged,
    changes: result.changes,
    errors: result.errors,
    warnings: result.warnings,
    effective: result.effective,
  };
}

export function viewOf(settings: CardSettings): SettingsView {
  return {
    base: {
      file: settings.file,
      text: settings.text,
      before: settings.before,
      after: settings.after,
      replacesDefaults: settings.replacesDefaults,
    },
    exists: settings.exists,
    values: settings.values,
    effective: settings.effective,
    warnings: settings.warnings,
  };
}

const isRecordOfStrings = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((entry) => typeof entry === 'string');

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((entry) => typeof entry === 'string');

/** What arrived from the window, checked for shape; the values themselves are judged by the model. */
export function checkedChanges(value: unknown): SettingsChanges {
  const changes = value as Partial<SettingsChanges> | null;
  const set = changes?.set ?? {};
  const unset = changes?.unset ?? [];
  if (!isRecordOfStrings(set) || !isStringList(unset)) {
    throw new AppError('bad-call', 'The settings sent by the window are malformed; nothing was changed.');
  }
  return { set: { ...set }, unset: [...unset] };
}

function checkedBase(value: unknown): SettingsBase {
  const base = value as Partial<SettingsBase> | null;
  const layers = (list: unknown) =>
    Array.isArray(list) &&
    list.every((layer) => typeof layer?.file === 'string' && isRecordOfStrings(layer?.values));
  if (
    typeof base?.file !== 'string' ||
    typeof base.text !== 'string' ||
    !layers(base.before) ||
    !layers(base.after) ||
    typeof base.replacesDefaults !== 'boolean'
  ) {
    throw new AppError('bad-call', 'The settings file sent by the window is malformed.');
  }
  return base as SettingsBase;
}
