import { STATION_COUNTER, STATION_IMAGES } from '../../../../shared/api.js';
import { useBatch } from '../../stores/batch-store.js';
import { useCards } from '../../stores/cards-store.js';
import { ProgressView } from '../ProgressView.js';
import { CardRow } from './CardRow.js';

/** The running station: the counter, one row per slot that got a card, and Stop. */
export function StationPanel() {
  const state = useBatch();
  const cards = useCards((cards) => cards.cards);
  const counter = state.progress[STATION_COUNTER];
  const slots = Object.values(state.progress).filter(
    (progress) => progress.cardId !== STATION_COUNTER && progress.cardId !== STATION_IMAGES,
  );
  const staging = state.progress[STATION_IMAGES];
  const done = counter?.done ?? 0;
  const total = counter?.total ?? Number(state.count);
  const failed = Number(counter?.item ?? 0);
  return (
    <section aria-labelledby="station-run">
      <h2 id="station-run">{state.running ? 'Station running: insert cards' : 'Station stopped'}</h2>
      <p data-testid="station-counter" data-done={done} data-total={total} data-failed={failed}>
        {done} of {total} cards verified{failed > 0 ? `, ${failed} failed` : ''}
      </p>
      {!counter && state.running ? (
        staging && state.jobId ? (
          <ProgressView jobId={state.jobId} cardId={STATION_IMAGES} title="Getting the images ready" />
        ) : (
          <p className="muted">Getting the images ready…</p>
        )
      ) : null}
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
