/**
 * The settings form's draft, and the change it asks for. A field left empty means "as AstLinux has it by
 * default": a variable the file sets and the form empties is unset, one it never set stays unset. Only
 * what differs from the file is asked for, so saving an untouched form changes nothing.
 */
import type { SettingField, SettingsChanges, SettingsView } from '../../../../shared/api.js';

/** The variables that only mean something with a static external address. */
export const STATIC_ONLY = ['EXTIP', 'EXTNM', 'EXTGW'];

export interface OtherRow {
  /** Stable across edits of its name, for React and for the field ids. */
  key: number;
  name: string;
  value: string;
}

export interface SettingsDraft {
  /** The common fields, as typed. */
  values: Record<string, string>;
  address: 'dhcp' | 'static';
  /** Every other variable, as free name and value. */
  others: OtherRow[];
}

let nextKey = 1;
export const newRowKey = (): number => nextKey++;

export function draftOf(view: SettingsView, fields: SettingField[]): SettingsDraft {
  const common = new Set(fields.map((field) => field.name));
  const values: Record<string, string> = {};
  for (const field of fields) values[field.name] = view.values[field.name] ?? '';
  return {
    values,
    address: (view.values.EXTIP ?? '').trim() !== '' ? 'static' : 'dhcp',
    others: Object.entries(view.values)
      .filter(([name]) => !common.has(name))
      .map(([name, value]) => ({ key: newRowKey(), name, value })),
  };
}

/** What the form's own structure gets wrong (a value without a name, a name twice), by row key. */
export function rowProblems(draft: SettingsDraft, fields: SettingField[]): Map<number, string> {
  const problems = new Map<number, string>();
  const common = new Set(fields.map((field) => field.name));
  const seen = new Set<string>();
  for (const row of draft.others) {
    const name = row.name.trim();
    if (name === '') {
      if (row.value !== '')
        problems.set(row.key, 'Give this value the name of its variable, like SSHD_PORT.');
    } else if (common.has(name)) {
      problems.set(row.key, `${name} has its own field above; set it there.`);
    } else if (seen.has(name)) {
      problems.set(row.key, `${name} is listed twice; keep one.`);
    }
    seen.add(name);
  }
  return problems;
}

function typedValue(draft: SettingsDraft, name: string): string {
  if (draft.address === 'dhcp' && STATIC_ONLY.includes(name)) return '';
  return (draft.values[name] ?? '').trim();
}

export function changesOf(draft: SettingsDraft, view: SettingsView, fields: SettingField[]): SettingsChanges {
  const set: Record<string, string> = {};
  const unset: string[] = [];
  const ask = (name: string, typed: string) => {
    const was = view.values[name];
    if (typed === '') {
      if (was !== undefined) unset.push(name);
    } else if (typed !== was) {
      set[name] = typed;
    }
  };
  for (const field of fields) ask(field.name, typedValue(draft, field.name));
  const common = new Set(fields.map((field) => field.name));
  const kept = new Set<string>();
  for (const row of draft.others) {
    const name = row.name.trim();
    if (name === '' || common.has(name) || kept.has(name)) continue;
    kept.add(name);
    // A free value is kept as typed, spaces included: it is the variable's text.
    if (row.value !== view.values[name]) set[name] = row.value;
  }
  for (const name of Object.keys(view.values)) {
    if (!common.has(name) && !kept.has(name)) unset.push(name);
  }
  return { set, unset };
}

export function isEmptyChange(changes: SettingsChanges): boolean {
  return Object.keys(changes.set).length === 0 && changes.unset.length === 0;
}

/** The view as if these changes were in the file already: where a form comes back to what was typed. */
export function viewWith(view: SettingsView, changes: SettingsChanges): SettingsView {
  const values = { ...view.values, ...changes.set };
  for (const name of changes.unset) delete values[name];
  return { ...view, values };
}
