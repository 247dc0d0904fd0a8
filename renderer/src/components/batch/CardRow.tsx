import type { BatchCardRecord, JobProgress } from '../../../../shared/api.js';
import { phaseLabel } from '../../format.js';

/**
 * One card of a batch or station: its keydisk row and its progress (the card's whole job in one figure,
 * the phase named beside it), or its result. A failed card shows no bar: it was not written, whatever
 * share of the work it had got through.
 */
export function CardRow({
  title,
  progress,
  record,
  onTry,
  tryChosen = false,
}: {
  title: string;
  progress?: JobProgress;
  record?: BatchCardRecord;
  /** A finished batch: the card can be tried (a function), or not (null); undefined while it runs. */
  onTry?: (() => void) | null;
  tryChosen?: boolean;
}) {
  const state = record ? (record.verified ? 'done' : 'failed') : (progress?.phase ?? 'waiting');
  // 100 % only once the card is verified: the last phase's end is not yet the card's.
  const percent = state === 'done' ? 100 : Math.min(99, Math.floor((progress?.overall ?? 0) * 100));
  const status = record
    ? record.verified
      ? 'Verified ✓'
      : `Failed: ${record.error ?? 'unknown error'}`
    : state === 'done'
      ? 'Verified ✓'
      : state === 'failed'
        ? 'Failed'
        : progress
          ? `${percent}% · ${phaseLabel(progress.phase, progress.item)}`
          : 'Waiting…';
  return (
    <tr data-testid="batch-card" data-state={state}>
      <td>{title}</td>
      <td>{record?.keydiskId ?? (progress?.phase === 'done' ? progress.item : '') ?? ''}</td>
      <td>
        {state === 'failed' ? null : (
          <div
            className="bar"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            aria-label={`${title} progress`}
          >
            <div className="bar-fill" style={{ width: `${percent}%` }} />
          </div>
        )}
        <span className={state === 'failed' ? 'tone-bad' : 'muted'}>{status}</span>
      </td>
      {onTry !== undefined ? (
        <td className="num">
          {onTry ? (
            <button type="button" disabled={tryChosen} onClick={onTry} aria-label={`Try ${title}`}>
              Try
            </button>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
}
