/**
 * Where each problem the settings model found is shown: beside the first field it names that is on the
 * form, or above the form when it names none of them (a problem of the file itself).
 */
import type { SettingIssue } from '../../../../shared/api.js';

export interface PlacedIssues {
  /** By field name (a common variable, or another variable's name). */
  byField: Map<string, Array<SettingIssue & { tone: 'bad' | 'warning' }>>;
  general: Array<SettingIssue & { tone: 'bad' | 'warning' }>;
}

export function placeIssues(
  errors: SettingIssue[],
  warnings: SettingIssue[],
  shown: ReadonlySet<string>,
): PlacedIssues {
  const byField = new Map<string, Array<SettingIssue & { tone: 'bad' | 'warning' }>>();
  const general: Array<SettingIssue & { tone: 'bad' | 'warning' }> = [];
  const place = (issue: SettingIssue, tone: 'bad' | 'warning') => {
    const at = issue.names.find((name) => shown.has(name));
    if (at === undefined) {
      general.push({ ...issue, tone });
      return;
    }
    const list = byField.get(at) ?? [];
    list.push({ ...issue, tone });
    byField.set(at, list);
  };
  for (const issue of errors) place(issue, 'bad');
  for (const issue of warnings) place(issue, 'warning');
  return { byField, general };
}

/** An id for a field's problem text, for aria-describedby. */
export function issueId(prefix: string, name: string): string {
  return `${prefix}-issue-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
