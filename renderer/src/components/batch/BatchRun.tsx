import { useState } from 'react';
import { useBatch } from '../../stores/batch-store.js';
import { useCards } from '../../stores/cards-store.js';
import { TryPanel } from '../try/TryPanel.js';
import { CardRow } from './CardRow.js';

/** A running (or finished) batch: one row per chosen card, and Cancel. */
export function BatchRun() {
  const state = useBatch();
  const cards = useCards((cards) => cards.cards);
  const ids = state.results ? state.results.map((record) => record.target) : state.chosen;
  const done = state.results?.filter((record) => record.verified).length ?? 0;
  const failed = (state.results?.length ?? 0) - done;
  // A finished batch's verified card can be tried, while it is still plugged in (or its image file open).
  const [trying, setTrying] = useState<string | null>(null);
  const canTry = (id: string) =>
    !state.running &&
    state.results?.some((record) => record.target === id && record.verified) === true &&
    cards.some((card) => card.id === id);
  return (
    <section aria-labelledby="batch-run">
      <h2 id="batch-run">
        {state.running
          ? 'Writing the batch'
          : `Batch finished: ${done} of ${ids.length} cards verified${failed > 0 ? `, ${failed} failed` : ''}`}
      </h2>
      <table className="images" aria-label="Batch progress">
        <thead>
          <tr>
            <th>Card</th>
            <th>Keydisk</th>
            <th style={{ width: '55%' }}>Progress</th>
            {state.results ? (
              <th>
                <span className="visually-hidden">Try</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {ids.map((id) => (
            <CardRow
              key={id}
              title={cards.find((card) => card.id === id)?.title ?? id}
              progress={state.progress[id]}
              record={state.results?.find((record) => record.target === id)}
              {...(state.results
                ? { onTry: canTry(id) ? () => setTrying(id) : null, tryChosen: trying === id }
                : {})}
            />
          ))}
        </tbody>
      </table>
      {trying && canTry(trying) ? <TryPanel key={trying} cardId={trying} /> : null}
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
