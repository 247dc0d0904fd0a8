import type { SettingIssue } from '../../../../shared/api.js';
import { issueId } from './issues.js';
import { newRowKey, type OtherRow } from './settings-draft.js';

/** Every other variable of the file, as free name and value rows; a removed row is unset on saving. */
export function OtherVariables({
  rows,
  onChange,
  issuesFor,
  rowProblems,
  idPrefix,
}: {
  rows: OtherRow[];
  onChange(rows: OtherRow[]): void;
  issuesFor(name: string): Array<SettingIssue & { tone: 'bad' | 'warning' }>;
  rowProblems: Map<number, string>;
  idPrefix: string;
}) {
  const update = (key: number, patch: Partial<OtherRow>) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  return (
    <fieldset>
      <legend>Other variables</legend>
      <p className="muted small">
        Any other AstLinux variable, such as SSHD_PORT or SMTP_SERVER, written as NAME="value".
      </p>
      {rows.length > 0 ? (
        <ul className="other-rows">
          {rows.map((row, index) => {
            const own = rowProblems.get(row.key);
            const issues = [
              ...(own ? [{ names: [], message: own, kind: 'value' as const, tone: 'bad' as const }] : []),
              ...issuesFor(row.name.trim()),
            ];
            const problemId = issueId(`${idPrefix}-row${row.key}`, 'x');
            const describedBy = issues.length > 0 ? problemId : undefined;
            return (
              <li key={row.key}>
                <div className="inline-form">
                  <label className="field grow">
                    <span>Variable {index + 1} name</span>
                    <input
                      value={row.name}
                      spellCheck={false}
                      autoComplete="off"
                      onChange={(event) => update(row.key, { name: event.target.value.toUpperCase() })}
                      aria-invalid={issues.some((issue) => issue.tone === 'bad')}
                      aria-describedby={describedBy}
                    />
                  </label>
                  <label className="field grow">
                    <span>Variable {index + 1} value</span>
                    <input
                      value={row.value}
                      spellCheck={false}
                      autoComplete="off"
                      onChange={(event) => update(row.key, { value: event.target.value })}
                      aria-describedby={describedBy}
                    />
                  </label>
                  <button
                    type="button"
                    className="button-quiet"
                    onClick={() => onChange(rows.filter((other) => other.key !== row.key))}
                    aria-label={`Remove variable ${index + 1}`}
                  >
                    ✕
                  </button>
                </div>
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
              </li>
            );
          })}
        </ul>
      ) : null}
      <button type="button" onClick={() => onChange([...rows, { key: newRowKey(), name: '', value: '' }])}>
        Add a variable
      </button>
    </fieldset>
  );
}
