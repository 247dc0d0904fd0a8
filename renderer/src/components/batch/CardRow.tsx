import type { BatchCardRecord, JobProgress } from '../../../../shared/api.js';
import { phaseLabel } from '../../format.js';

/** One card of a batch or station: its keydisk row and its progress, or its result. */
export function CardRow({
  title,
  progress,
  record,
}: {
  title: string;
  progress?: JobProgress;
  record?: BatchCardRecord;
}) {
  const percent = progress && progress.total > 0 ? Math.floor((100 * progress.done) / progress.total) : 0;
  const status = record
    ? record.verified
      ? 'Verified ✓'
      : `Failed: ${record.error ?? 'unknown error'}`
    : progress?.phase === 'done'
      ? 'Verified ✓'
      : progress?.phase === 'failed'
        ? 'Failed'
        : progress
          ? `${phaseLabel(progress.phase, progress.item)} ${percent}%`
          : 'Waiting…';
  return (
    <tr
      data-testid="batch-card"
      data-state={record ? (record.verified ? 'done' : 'failed') : (progress?.phase ?? 'waiting')}
    >
      <td>{title}</td>
      <td>{record?.keydiskId ?? (progress?.phase === 'done' ? progress.item : '') ?? ''}</td>
      <td>
        <div
          className="bar"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={record ? 100 : percent}
          aria-label={`${title} progress`}
        >
          <div className="bar-fill" style={{ width: `${record ? 100 : percent}%` }} />
        </div>
        <span className={record && !record.verified ? 'card-warning' : 'muted'}>{status}</span>
      </td>
    </tr>
  );
}
