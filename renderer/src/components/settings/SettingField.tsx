import type { EffectiveSetting, SettingField as Field, SettingIssue } from '../../../../shared/api.js';
import { issueId } from './issues.js';

/**
 * One common setting: its label, the text as typed, what applies when it is left empty, and the
 * problems the settings model found with it, announced as they appear.
 */
export function SettingField({
  field,
  value,
  onChange,
  issues,
  underneath,
  idPrefix,
  list,
  placeholder,
}: {
  field: Field;
  value: string;
  onChange(value: string): void;
  issues: Array<SettingIssue & { tone: 'bad' | 'warning' }>;
  /** What AstLinux uses when this file does not set it (its default, or another settings file). */
  underneath: EffectiveSetting | undefined;
  idPrefix: string;
  /** The id of a datalist of suggestions (time zones). */
  list?: string;
  placeholder?: string;
}) {
  const inputId = `${idPrefix}-${field.name}`;
  const helpId = `${inputId}-help`;
  const problemId = issueId(idPrefix, field.name);
  const bad = issues.some((issue) => issue.tone === 'bad');
  const empty = underneath
    ? ` Left empty: ${underneath.value === '' ? 'nothing' : underneath.value} (${underneath.from}).`
    : ' Left empty: not set.';
  return (
    <div className="field setting-field">
      <label htmlFor={inputId}>
        {field.label} <code className="muted">{field.name}</code>
      </label>
      <input
        id={inputId}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={bad}
        aria-describedby={issues.length > 0 ? `${problemId} ${helpId}` : helpId}
        {...(list ? { list } : {})}
        {...(placeholder ? { placeholder } : {})}
      />
      <span id={helpId} className="muted small">
        {field.help}
        {empty}
      </span>
      {issues.length > 0 ? (
        <span id={problemId} role="alert" className="field-issues">
          {issues.map((issue) => (
            <span key={issue.message} className={`small tone-${issue.tone} field-issue`}>
              {issue.tone === 'bad' ? '✗ ' : '⚠ '}
              {issue.message}
            </span>
          ))}
        </span>
      ) : null}
    </div>
  );
}
