import type { JobProgress } from '../../../shared/api.js';
import { formatBytes, formatEta, formatSpeed, phaseLabel } from '../format.js';
import { useJobs } from '../stores/jobs-store.js';

/**
 * One job's progress — or, with `cardId`, one card's part of it: what it is doing, how far, how fast,
 * how long still.
 */
export function ProgressView({
  jobId,
  title,
  cancellable,
  cardId,
}: {
  jobId: string;
  title: string;
  cancellable?: boolean;
  cardId?: string;
}) {
  const progress: JobProgress | undefined = useJobs((state) =>
    cardId === undefined ? state.progress[jobId] : state.perCard[jobId]?.[cardId],
  );
  const cancelling = useJobs((state) => state.cancelling[jobId] === true);
  const cancel = useJobs((state) => state.cancel);
  const fraction = progress && progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
  const percent = Math.floor(fraction * 100);
  const bytes =
    progress && progress.total > 1 ? `${formatBytes(progress.done)} of ${formatBytes(progress.total)}` : '';
  return (
    <section className="progress" aria-live="polite">
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
        aria-label={title}
      >
        <div className="bar-fill" style={{ width: `${percent}%` }} />
      </div>
      <div className="progress-line">
        <span className="progress-phase">
          {progress ? phaseLabel(progress.phase, progress.item) : 'Starting…'}
        </span>
        <span className="muted">
          {[bytes, formatSpeed(progress?.speed), formatEta(progress?.etaSeconds)].filter(Boolean).join(' · ')}
        </span>
      </div>
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
