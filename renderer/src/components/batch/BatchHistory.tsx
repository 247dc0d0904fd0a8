import { useState } from 'react';
import type { BatchHistoryEntry } from '../../../../shared/api.js';
import { formatBytes } from '../../format.js';
import { useBatch } from '../../stores/batch-store.js';
import { choosePaths } from '../../stores/dialogs-store.js';
import { Notice } from '../ErrorNote.js';

/** Reports of the batches written so far, each with its cards and an export. */
export function BatchHistory() {
  const history = useBatch((state) => state.history);
  const exported = useBatch((state) => state.exported);
  const exportReport = useBatch((state) => state.exportReport);
  const [path, setPath] = useState('');
  const [format, setFormat] = useState<'csv' | 'json'>('csv');
  return (
    <section aria-labelledby="batch-history">
      <h2 id="batch-history">Batch reports</h2>
      {exported ? (
        <Notice
          text={`Report saved to ${exported}`}
          onDismiss={() => useBatch.setState({ exported: null })}
        />
      ) : null}
      {history.length === 0 ? <p className="muted">No batch written yet.</p> : null}
      {history.map((entry) => (
        <details key={entry.name} className="history-entry" data-testid="batch-history-entry">
          <summary>{historyLine(entry)}</summary>
          <table className="images">
            <thead>
              <tr>
                <th>Card</th>
                <th>Size</th>
                <th>FAT serial</th>
                <th>Versions</th>
                <th>Keydisk</th>
                <th>Finished</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {entry.cards.map((card) => (
                <tr key={`${card.target}-${card.startedAt}`}>
                  <td>{[card.model, card.serial ?? card.target].filter(Boolean).join(' · ')}</td>
                  {/* A card that failed before it was looked at has no size on record: none is made up. */}
                  <td>{card.size > 0 ? formatBytes(card.size) : '—'}</td>
                  <td>{card.fatSerial ?? ''}</td>
                  <td>{card.versions.join(', ')}</td>
                  <td>{card.keydiskId ?? ''}</td>
                  <td>{new Date(card.endedAt).toLocaleString()}</td>
                  <td className={card.verified ? undefined : 'tone-bad'}>
                    {card.verified ? 'Verified ✓' : `Failed: ${card.error ?? ''}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="actions">
            <label className="field grow">
              Save report as
              <input
                value={path}
                onChange={(event) => setPath(event.target.value)}
                placeholder="/path/to/report.csv"
              />
            </label>
            <button
              type="button"
              onClick={async () => {
                const [chosen] = (await choosePaths('save-report', `${entry.name}.${format}`)) ?? [];
                if (!chosen) return;
                setPath(chosen);
                // A name ending in .json or .csv says the format too.
                const ending = /\.(csv|json)$/i.exec(chosen)?.[1]?.toLowerCase();
                if (ending === 'csv' || ending === 'json') setFormat(ending);
              }}
            >
              Choose file…
            </button>
            <select
              aria-label="Report format"
              value={format}
              onChange={(event) => setFormat(event.target.value as 'csv' | 'json')}
            >
              <option value="csv">CSV</option>
              <option value="json">JSON</option>
            </select>
            <button
              type="button"
              disabled={path.trim() === ''}
              onClick={() => void exportReport(entry.name, path.trim(), format)}
            >
              Export report
            </button>
          </div>
        </details>
      ))}
    </section>
  );
}

/** A report's line: the cards verified, and the attempts that failed counted apart — they are not cards made. */
function historyLine(entry: BatchHistoryEntry): string {
  const verified = entry.cards.filter((card) => card.verified).length;
  const failed = entry.cards.length - verified;
  const made = `${verified} card${verified === 1 ? '' : 's'} verified`;
  return `${entry.name}: ${made}${failed > 0 ? `, ${failed} failed` : ''}`;
}
