import type { SettingsPreview } from '../../../../shared/api.js';

/**
 * The settings file as saving will write it, byte for byte as the app computed it, the changed lines
 * marked; removed variables listed below it.
 */
export function SettingsPreviewBox({
  preview,
  file,
  exists,
  current,
}: {
  preview: SettingsPreview | null;
  /** The file on the keydisk (/rc.conf.d/user.conf). */
  file: string;
  exists: boolean;
  /** False while the preview is being brought up to date with what was typed. */
  current: boolean;
}) {
  const name = file.replace(/^\//, '');
  if (!preview) {
    return (
      <section className="settings-preview" aria-label={`${name} after saving`}>
        <h3>{name} after saving</h3>
        <p className="muted small">Working out the file…</p>
      </section>
    );
  }
  const changedLines = new Set(
    preview.changes.filter((change) => change.action !== 'removed').map((change) => change.line),
  );
  const removed = preview.changes.filter((change) => change.action === 'removed');
  const lines = preview.text === '' ? [] : preview.text.replace(/\n$/, '').split('\n');
  return (
    <section className="settings-preview" aria-label={`${name} after saving`} aria-busy={!current}>
      <h3>{name} after saving</h3>
      <p className="muted small">
        {preview.errors.length > 0
          ? 'Nothing can be saved until the problems marked above are fixed; the file stays as it is.'
          : preview.unchanged
            ? 'No change yet: the file stays as it is.'
            : `${exists ? 'Only the marked lines change' : `astcard creates ${name} on the keydisk`}; every other line stays exactly as it is.`}
      </p>
      {lines.length > 0 ? (
        <pre className="conf-text" data-testid="settings-preview-text">
          {lines.map((line, index) => {
            const text = `${line}\n`;
            return changedLines.has(index + 1) ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines are positions in the file.
              <mark key={index}>{text}</mark>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines are positions in the file.
              <span key={index}>{text}</span>
            );
          })}
        </pre>
      ) : (
        <p className="muted small">The file is empty: AstLinux uses its defaults.</p>
      )}
      {removed.length > 0 ? (
        <p className="small">Removed: {removed.map((change) => change.name).join(', ')}.</p>
      ) : null}
    </section>
  );
}
