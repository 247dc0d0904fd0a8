import { useEffect, useState } from 'react';
import { type BatchCardRecord, type JobProgress, STATION_COUNTER } from '../../../shared/api.js';
import { ErrorNote, Notice } from '../components/ErrorNote.js';
import { formatBytes, phaseLabel } from '../format.js';
import { useBatch, watchBatchProgress } from '../stores/batch-store.js';
import { useCards, visibleCards } from '../stores/cards-store.js';

/** Batch provisioning: one image set onto many cards at once, a keydisk per card from a CSV, a report. */
export function BatchPage() {
  const state = useBatch();
  useEffect(() => watchBatchProgress(), []);
  return (
    <main className="page" aria-labelledby="batch-title">
      <div className="page-head">
        <h1 id="batch-title">Batch</h1>
      </div>
      {state.error ? (
        <ErrorNote error={state.error} onDismiss={() => useBatch.setState({ error: null })} />
      ) : null}
      {state.running || state.results ? (
        state.jobId?.startsWith('station-') ? (
          <StationRun />
        ) : (
          <BatchRun />
        )
      ) : (
        <BatchSetup />
      )}
      <BatchHistory />
    </main>
  );
}

function BatchSetup() {
  const state = useBatch();
  const cards = visibleCards(useCards());
  const [confirming, setConfirming] = useState(false);
  const station = state.mode === 'station';
  const count = Number(state.count);
  const ready =
    (station ? Number.isInteger(count) && count > 0 : state.chosen.length > 0) &&
    state.images.trim() !== '' &&
    state.name.trim() !== '' &&
    (state.keydisk !== 'template' || state.templatePath.trim() !== '') &&
    (state.csvPath.trim() === '' || state.keydisk !== 'none');
  return (
    <section aria-labelledby="batch-setup">
      <h2 id="batch-setup">Set up a batch</h2>
      <fieldset className="field">
        <legend>Cards</legend>
        {(
          [
            ['batch', 'The cards I choose now'],
            ['station', 'Station: every card inserted from now on, until the count is reached'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="pick">
            <input
              type="radio"
              name="batch-mode"
              checked={state.mode === value}
              onChange={() => state.set({ mode: value })}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <label className="field">
        Batch name
        <input value={state.name} onChange={(event) => state.set({ name: event.target.value })} />
      </label>
      <label className="field">
        Images (one file or address a line)
        <textarea
          rows={2}
          value={state.images}
          onChange={(event) => state.set({ images: event.target.value })}
        />
      </label>
      <fieldset className="field">
        <legend>Keydisk on each card</legend>
        {(
          [
            ['none', 'No keydisk'],
            ['new', 'A new keydisk'],
            ['template', 'A copy of a keydisk template'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="pick">
            <input
              type="radio"
              name="batch-keydisk"
              checked={state.keydisk === value}
              onChange={() => state.set({ keydisk: value })}
            />
            {label}
          </label>
        ))}
        {state.keydisk === 'template' ? (
          <label className="field">
            Keydisk template (kd.img)
            <input
              value={state.templatePath}
              onChange={(event) => state.set({ templatePath: event.target.value })}
            />
          </label>
        ) : null}
      </fieldset>
      <label className="field">
        Per-card values (CSV with hostname, ip, gateway…; optional)
        <input value={state.csvPath} onChange={(event) => state.set({ csvPath: event.target.value })} />
      </label>
      {state.csvPath.trim() !== '' && state.keydisk === 'none' ? (
        <p className="muted">Per-card values go into each card's keydisk: choose a keydisk above.</p>
      ) : null}
      {station ? <StationRules /> : <CardChoice cards={cards} />}
      {confirming ? (
        <div className="note note-warn" role="alertdialog" aria-label="Confirm batch">
          <div className="note-text">
            {station ? (
              <strong>
                Every card inserted while the station runs and passing its rules will be erased without
                asking, until {count} card{count === 1 ? ' is' : 's are'} made.
              </strong>
            ) : (
              <>
                <strong>
                  Everything on these {state.chosen.length} card{state.chosen.length === 1 ? '' : 's'} will be
                  erased:
                </strong>{' '}
                {state.chosen.map((id) => cards.find((card) => card.id === id)?.title ?? id).join(', ')}
              </>
            )}
          </div>
          <div className="actions">
            <button type="button" className="button-quiet" onClick={() => setConfirming(false)}>
              Back
            </button>
            <button
              type="button"
              className="button-danger"
              onClick={() => {
                setConfirming(false);
                void (station ? state.startStation() : state.start());
              }}
            >
              {station ? 'Start the station' : 'Erase and write'}
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button
            type="button"
            className="button-danger"
            disabled={!ready}
            onClick={() => setConfirming(true)}
          >
            {station
              ? 'Start the station…'
              : `Erase and write ${state.chosen.length} card${state.chosen.length === 1 ? '' : 's'}…`}
          </button>
        </div>
      )}
    </section>
  );
}

function CardChoice({ cards }: { cards: ReturnType<typeof visibleCards> }) {
  const state = useBatch();
  return (
    <>
      <h3>Cards to erase and prepare</h3>
      {cards.length === 0 ? <p className="muted">No card found. Insert cards, or open card images.</p> : null}
      <ul className="pick-list" aria-label="Batch cards">
        {cards.map((card) => (
          <li key={card.id}>
            <label className="pick">
              <input
                type="checkbox"
                checked={state.chosen.includes(card.id)}
                onChange={() => state.toggle(card.id)}
              />
              <span className="card-main">
                <span className="card-title">{card.title}</span>
                <span className="card-sub muted">
                  {card.location} · {formatBytes(card.size)}
                </span>
              </span>
            </label>
          </li>
        ))}
      </ul>
    </>
  );
}

function StationRules() {
  const state = useBatch();
  return (
    <fieldset className="field">
      <legend>Station rules</legend>
      <label className="field">
        Cards to make
        <input
          inputMode="numeric"
          value={state.count}
          onChange={(event) => state.set({ count: event.target.value })}
        />
      </label>
      <label className="field">
        Smallest card (GB, optional)
        <input value={state.minGb} onChange={(event) => state.set({ minGb: event.target.value })} />
      </label>
      <label className="field">
        Largest card (GB, optional)
        <input value={state.maxGb} onChange={(event) => state.set({ maxGb: event.target.value })} />
      </label>
      <label className="field">
        Which cards
        <select
          value={state.only}
          onChange={(event) => state.set({ only: event.target.value as typeof state.only })}
        >
          <option value="any">Any card</option>
          <option value="empty">Only cards that are not AstLinux cards yet</option>
          <option value="astlinux">Only AstLinux cards (re-provisioning)</option>
        </select>
      </label>
      <p className="muted">
        Cards already in the reader are left alone. System and internal drives, mounted drives and anything
        that would need a confirmation are never written.
      </p>
    </fieldset>
  );
}

/** The running station: the counter, one row per slot that got a card, and Stop. */
function StationRun() {
  const state = useBatch();
  const cards = useCards((cards) => cards.cards);
  const counter = state.progress[STATION_COUNTER];
  const slots = Object.values(state.progress).filter((progress) => progress.cardId !== STATION_COUNTER);
  const done = counter?.done ?? 0;
  const total = counter?.total ?? Number(state.count);
  const failed = Number(counter?.item ?? 0);
  return (
    <section aria-labelledby="station-run">
      <h2 id="station-run">{state.running ? 'Station running: insert cards' : 'Station stopped'}</h2>
      <p data-testid="station-counter" data-done={done} data-total={total} data-failed={failed}>
        {done} of {total} cards verified{failed > 0 ? `, ${failed} failed` : ''}
      </p>
      {!counter && state.running ? <p className="muted">Getting the images ready…</p> : null}
      {counter && state.running && slots.length === 0 ? <p className="muted">Ready: insert a card.</p> : null}
      <table className="images" aria-label="Station slots">
        <thead>
          <tr>
            <th>Card</th>
            <th>Keydisk</th>
            <th style={{ width: '55%' }}>Progress</th>
          </tr>
        </thead>
        <tbody>
          {slots.map((progress) =>
            progress.phase === 'refused' ? (
              <tr key={progress.cardId} data-testid="batch-card" data-state="refused">
                <td>{cards.find((card) => card.id === progress.cardId)?.title ?? progress.cardId}</td>
                <td />
                <td className="card-warning">Not written: {progress.item}</td>
              </tr>
            ) : (
              <CardRow
                key={progress.cardId}
                title={cards.find((card) => card.id === progress.cardId)?.title ?? progress.cardId}
                progress={progress}
                record={state.results?.find((record) => record.target === progress.cardId)}
              />
            ),
          )}
        </tbody>
      </table>
      <div className="actions">
        {state.running ? (
          <button type="button" className="button-quiet" onClick={() => void state.cancel()}>
            Stop the station
          </button>
        ) : (
          <button type="button" onClick={() => useBatch.setState({ results: null, progress: {} })}>
            New batch
          </button>
        )}
      </div>
    </section>
  );
}

function BatchRun() {
  const state = useBatch();
  const cards = useCards((cards) => cards.cards);
  const ids = state.results ? state.results.map((record) => record.target) : state.chosen;
  const done = state.results?.filter((record) => record.verified).length ?? 0;
  return (
    <section aria-labelledby="batch-run">
      <h2 id="batch-run">
        {state.running ? 'Writing the batch' : `Batch finished: ${done} of ${ids.length} cards verified`}
      </h2>
      <table className="images" aria-label="Batch progress">
        <thead>
          <tr>
            <th>Card</th>
            <th>Keydisk</th>
            <th style={{ width: '55%' }}>Progress</th>
          </tr>
        </thead>
        <tbody>
          {ids.map((id) => (
            <CardRow
              key={id}
              title={cards.find((card) => card.id === id)?.title ?? id}
              progress={state.progress[id]}
              record={state.results?.find((record) => record.target === id)}
            />
          ))}
        </tbody>
      </table>
      <div className="actions">
        {state.running ? (
          <button type="button" className="button-quiet" onClick={() => void state.cancel()}>
            Cancel
          </button>
        ) : (
          <button type="button" onClick={() => useBatch.setState({ results: null, chosen: [] })}>
            New batch
          </button>
        )}
      </div>
    </section>
  );
}

function CardRow({
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

function BatchHistory() {
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
          <summary>
            {entry.name}: {entry.cards.filter((card) => card.verified).length} of {entry.cards.length} cards
            verified
          </summary>
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
                  <td>{formatBytes(card.size)}</td>
                  <td>{card.fatSerial ?? ''}</td>
                  <td>{card.versions.join(', ')}</td>
                  <td>{card.keydiskId ?? ''}</td>
                  <td>{new Date(card.endedAt).toLocaleString()}</td>
                  <td>{card.verified ? 'Verified ✓' : `Failed: ${card.error ?? ''}`}</td>
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
