import { cardLine, cardPlace } from '../../card-status.js';
import { useBatch } from '../../stores/batch-store.js';
import type { visibleCards } from '../../stores/cards-store.js';
import { StatusDot } from '../StatusDot.js';

/** The cards a batch (not a station) erases and prepares. */
export function CardChoice({ cards }: { cards: ReturnType<typeof visibleCards> }) {
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
                <span className="card-sub muted">{cardPlace(card)}</span>
              </span>
              <span className="card-status">
                <StatusDot tone={cardLine(card).tone} />
                {cardLine(card).text}
              </span>
            </label>
          </li>
        ))}
      </ul>
    </>
  );
}
