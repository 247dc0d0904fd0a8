import { useBatch } from '../../stores/batch-store.js';

/**
 * A name used before: what its report holds, and what going on under it means — the cards go into the
 * same report and take only the CSV rows its cards have not used — with the choice to do so.
 */
export function NameCheck() {
  const check = useBatch((state) => state.check);
  const addToReport = useBatch((state) => state.addToReport);
  const set = useBatch((state) => state.set);
  if (!check || check.verified + check.failed === 0) return null;
  const rows =
    check.rowsLeft === null
      ? ''
      : ` Each card takes a CSV row that no card of “${check.folder}” has taken: ${check.rowsLeft} of ${check.rows} ${check.rows === 1 ? 'row is' : 'rows are'} left.`;
  return (
    <div className="note note-warn" data-testid="batch-name-used">
      <div className="note-text">
        <p>
          <strong>
            A batch named “{check.folder}” was written before: {check.verified} card
            {check.verified === 1 ? '' : 's'} verified, {check.failed} failed.
          </strong>{' '}
          Going on under this name adds these cards to its report.{rows}
        </p>
        <label className="check">
          <input
            type="checkbox"
            checked={addToReport}
            onChange={(event) => set({ addToReport: event.target.checked })}
          />
          Add these cards to the report of “{check.folder}”
        </label>
      </div>
    </div>
  );
}
