import { type ReactNode, useEffect, useMemo, useState } from 'react';
import type {
  EffectiveSetting,
  SettingField as Field,
  SettingsChanges,
  SettingsModel,
  SettingsPreview,
  SettingsView,
} from '../../../../shared/api.js';
import { ErrorNote } from '../ErrorNote.js';
import { placeIssues } from './issues.js';
import { OtherVariables } from './OtherVariables.js';
import { SettingField } from './SettingField.js';
import { SettingsPreviewBox } from './SettingsPreviewBox.js';
import {
  changesOf,
  draftOf,
  isEmptyChange,
  rowProblems,
  type SettingsDraft,
  STATIC_ONLY,
  viewWith,
} from './settings-draft.js';
import { useSettingsPreview } from './use-settings-preview.js';
import './settings.css';

/** What the form stands at, for the buttons its owner puts under it. */
export interface SettingsFormState {
  changes: SettingsChanges;
  preview: SettingsPreview | null;
  /** Nothing typed differs from the file. */
  empty: boolean;
  /** The preview is up to date and finds nothing that stops saving. */
  ready: boolean;
}

/**
 * The settings form: the common variables by group, every other variable, and the file as saving will
 * write it. Each value is judged by the app's settings model as it is typed, the reason shown beside it.
 */
export function SettingsForm({
  view,
  initial,
  model,
  idPrefix,
  onState,
  onSubmit,
  children,
}: {
  view: SettingsView;
  /** Changes chosen before (coming back to the form): shown as typed, still compared with the file. */
  initial?: SettingsChanges;
  model: SettingsModel;
  idPrefix: string;
  onState?(state: SettingsFormState): void;
  onSubmit?(state: SettingsFormState): void;
  children?(state: SettingsFormState): ReactNode;
}) {
  const [draft, setDraft] = useState<SettingsDraft>(() =>
    draftOf(initial ? viewWith(view, initial) : view, model.fields),
  );
  const changes = useMemo(() => changesOf(draft, view, model.fields), [draft, view, model.fields]);
  const { preview, current, error } = useSettingsPreview(view.base, changes);
  const problems = rowProblems(draft, model.fields);
  const empty = isEmptyChange(changes);
  const ready = current && preview !== null && preview.errors.length === 0 && problems.size === 0;
  const state: SettingsFormState = { changes, preview: current ? preview : null, empty, ready };
  const stateKey = `${JSON.stringify(changes)}|${ready}|${current}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reported when what it says changes, not on every render.
  useEffect(() => onState?.(state), [stateKey]);

  const shown = new Set([
    ...model.fields
      .filter((field) => draft.address === 'static' || !STATIC_ONLY.includes(field.name))
      .map((field) => field.name),
    ...draft.others.map((row) => row.name.trim()).filter((name) => name !== ''),
  ]);
  const placed = placeIssues(preview?.errors ?? [], preview?.warnings ?? [], shown);
  const issuesFor = (name: string) => placed.byField.get(name) ?? [];
  const setValue = (name: string, value: string) =>
    setDraft((now) => ({ ...now, values: { ...now.values, [name]: value } }));
  const field = (name: string, extra: { list?: string; placeholder?: string } = {}) => {
    const definition = model.fields.find((each) => each.name === name);
    if (!definition) return null;
    return (
      <SettingField
        key={name}
        field={definition}
        value={draft.values[name] ?? ''}
        onChange={(value) => setValue(name, value)}
        issues={issuesFor(name)}
        underneath={underneathOf(definition, view)}
        idPrefix={idPrefix}
        {...extra}
      />
    );
  };

  return (
    <form
      className="settings-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (ready && !empty) onSubmit?.(state);
      }}
    >
      {error ? <ErrorNote error={error} /> : null}
      {placed.general.length > 0 ? (
        <ul className="problems" aria-label="About the settings file">
          {placed.general.map((issue) => (
            <li key={issue.message} className={`small tone-${issue.tone}`}>
              {issue.tone === 'bad' ? '✗ ' : '⚠ '}
              {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
      <fieldset>
        <legend>The PBX</legend>
        <div className="settings-grid">
          {field('HOSTNAME')}
          {field('DOMAIN')}
          {field('TIMEZONE', { list: `${idPrefix}-zones` })}
          {field('NTPSERVS', { placeholder: 'e.g. 0.pool.ntp.org 1.pool.ntp.org' })}
        </div>
        <datalist id={`${idPrefix}-zones`}>
          {model.timeZones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      </fieldset>
      <fieldset>
        <legend>External network</legend>
        <div className="settings-grid">{field('EXTIF')}</div>
        <div className="check-row" role="radiogroup" aria-label="How the external interface gets its address">
          <label className="check">
            <input
              type="radio"
              name={`${idPrefix}-address`}
              checked={draft.address === 'dhcp'}
              onChange={() => setDraft((now) => ({ ...now, address: 'dhcp' }))}
            />
            Automatically (DHCP)
          </label>
          <label className="check">
            <input
              type="radio"
              name={`${idPrefix}-address`}
              checked={draft.address === 'static'}
              onChange={() => setDraft((now) => ({ ...now, address: 'static' }))}
            />
            A static address
          </label>
        </div>
        <div className="settings-grid">
          {draft.address === 'static' ? (
            <>
              {field('EXTIP', { placeholder: 'e.g. 192.168.1.20/24' })}
              {field('EXTNM', { placeholder: 'e.g. 255.255.255.0' })}
              {field('EXTGW', { placeholder: 'e.g. 192.168.1.1' })}
            </>
          ) : null}
          {field('DNS', { placeholder: 'e.g. 192.168.1.1 9.9.9.9' })}
        </div>
      </fieldset>
      <fieldset>
        <legend>Internal network (optional)</legend>
        <div className="settings-grid">
          {field('INTIF', { placeholder: 'e.g. eth1' })}
          {field('INTIP')}
          {field('INTNM')}
        </div>
      </fieldset>
      <OtherVariables
        rows={draft.others}
        onChange={(others) => setDraft((now) => ({ ...now, others }))}
        issuesFor={issuesFor}
        rowProblems={problems}
        idPrefix={idPrefix}
      />
      <SettingsPreviewBox preview={preview} file={view.base.file} exists={view.exists} current={current} />
      {children?.(state)}
    </form>
  );
}

/** What AstLinux uses for a variable this file leaves unset: a later file, an earlier one, its default. */
function underneathOf(field: Field, view: SettingsView): EffectiveSetting | undefined {
  for (const layer of [...view.base.after].reverse()) {
    const value = layer.values[field.name];
    if (value !== undefined) return { value, from: layer.file };
  }
  for (const layer of [...view.base.before].reverse()) {
    const value = layer.values[field.name];
    if (value !== undefined) return { value, from: layer.file };
  }
  if (!view.base.replacesDefaults && field.astlinuxDefault !== null) {
    return { value: field.astlinuxDefault, from: 'AstLinux default' };
  }
  return undefined;
}
