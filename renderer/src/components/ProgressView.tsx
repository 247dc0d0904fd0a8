import type { JobProgress } from '../../../shared/api.js';
import { formatBytes, formatEta, formatSpeed, phaseLabel } from '../format.js';
import { useJobs } from '../stores/jobs-store.js';

/**
 * One job's progress — or, with `cardId`, one card's part of it: one figure for the whole job (it never
 * goes back when a phase ends), the phase it is in named beside the bar, how fast, how long still.
 */
export function ProgressView({
  jobId,
  title,
  cancellable,
  cardId,
  note,
}: {
  jobId: string;
  title: string;
  cancellable?: boolean;
  cardId?: string;
  /** A line under the bar: what happens when the job is done. */
  note?: string;
}) {
  const progress: JobProgress | undefined = useJobs((state) =>
    cardId === undefined ? state.progress[jobId] : state.perCard[jobId]?.[cardId],
  );
  const cancelling = useJobs((state) => state.cancelling[jobId] === true);
  const cancel = useJobs((state) => state.cancel);
  // 100 % is for a job that is over; this view shows only while it runs (a rename may still follow).
  const percent = Math.min(99, Math.floor((progress?.overall ?? 0) * 100));
  const phase = progress ? phaseLabel(progress.phase, progress.item) : 'Starting…';
  const phaseBytes =
    progress && progress.total > 1 ? `${formatBytes(progress.done)} of ${formatBytes(progress.total)}` : '';
  return (
    <section className="progress" aria-label={title}>
      <div className="progress-head">
        <strong>{title}</strong>
        <span className="progress-percent">{progress ? `${percent}%` : ''}</span>
      </div>
      <div
        className="bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}%, ${phase}`}
        aria-label={title}
      >
        <div className="bar-fill" style={{ width: `${percent}%` }} />
      </div>
      <div className="progress-line">
        <span className="progress-phase">
          {/* Only the phase is announced: the byte counts change four times a second. */}
          <span aria-live="polite">{phase}</span>
          {phaseBytes ? <span className="muted"> · {phaseBytes}</span> : null}
        </span>
        <span className="muted">
          {[formatSpeed(progress?.speed), formatEta(progress?.etaSeconds)].filter(Boolean).join(' · ')}
        </span>
      </div>
      {note ? <p className="muted small">{note}</p> : null}
      {cancellable ? (
        <button
          type="button"
          className="button-quiet"
          disabled={cancelling}
          onClick={() => void cancel(jobId)}
        >
          {cancelling ? 'Stopping at a safe point…' : 'Cancel'}
        </button>
      ) : null}
    </section>
  );
}
