import { useState } from 'react';
import type { CardSummary } from '../../../shared/api.js';
import { cardLine, cardPlace } from '../card-status.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { CardIcon } from '../components/Icons.js';
import { PublishPanel } from '../components/PublishPanel.js';
import { StatusDot } from '../components/StatusDot.js';
import { useCard } from '../stores/card-store.js';
import { useCards, visibleCards } from '../stores/cards-store.js';
import { choosePaths } from '../stores/dialogs-store.js';
import { usePlace } from '../stores/place-store.js';
import { usePrepare } from '../stores/prepare-store.js';

/** Home: every card, drive and opened card image, each with its one-line status. */
export function CardsPage() {
  const state = useCards();
  const cards = visibleCards(state);
  const hiddenCount = state.cards.filter((card) => card.hidden).length;
  const openCard = useCard((card) => card.open);
  const [creating, setCreating] = useState(false);
  const [publishing, setPublishing] = useState(false);

  const openImage = async () => {
    const [path] = (await choosePaths('card-image')) ?? [];
    if (!path) return;
    const card = await state.openImage(path);
    if (card) await openCard(card.id);
  };

  return (
    <main className="page" aria-labelledby="cards-title">
      <div className="page-head">
        <h1 id="cards-title">Cards</h1>
        <div className="actions">
          <button type="button" onClick={() => void openImage()}>
            Open card image…
          </button>
          <button type="button" onClick={() => setCreating(!creating)} aria-expanded={creating}>
            New card image…
          </button>
          <button type="button" onClick={() => setPublishing(!publishing)} aria-expanded={publishing}>
            Publish for network boot…
          </button>
          <button
            type="button"
            className="button-primary"
            onClick={() => {
              usePrepare.getState().reset();
              usePlace.getState().go('prepare');
            }}
          >
            Prepare a new card
          </button>
        </div>
      </div>
      {state.error ? (
        <ErrorNote error={state.error} onDismiss={() => useCards.setState({ error: null })} />
      ) : null}
      {creating ? <NewImageForm onDone={() => setCreating(false)} /> : null}
      {publishing ? <PublishPanel onClose={() => setPublishing(false)} /> : null}
      {cards.length === 0 && state.loaded ? (
        <div className="empty">
          <p>
            <strong>No card found.</strong>
          </p>
          <p className="muted">Insert a CompactFlash card or USB drive, or open a card image file.</p>
        </div>
      ) : (
        <ul className="card-list" aria-label="Cards and drives">
          {cards.map((card) => (
            <CardRow key={card.id} card={card} onOpen={() => void openCard(card.id)} />
          ))}
        </ul>
      )}
      {hiddenCount > 0 ? (
        <label className="check">
          <input
            type="checkbox"
            checked={state.showAll}
            onChange={(event) => state.setShowAll(event.target.checked)}
          />
          Show all drives ({hiddenCount} hidden)
        </label>
      ) : null}
    </main>
  );
}

/** One card: its name comes from what the row shows (no separate label), so a voice "click card.img" works. */
function CardRow({ card, onOpen }: { card: CardSummary; onOpen: () => void }) {
  const status = cardLine(card);
  return (
    <li>
      <button
        type="button"
        className={`card-row${card.hidden ? ' card-row-hidden' : ''}`}
        onClick={onOpen}
        disabled={card.hidden}
      >
        <span className="card-icon">
          <CardIcon kind={card.kind} />
        </span>
        <span className="card-main">
          <span className="card-title">{card.title}</span>
          <span className="card-sub muted">
            {cardPlace(card)}
            {card.kind === 'image-file' ? ' · image file' : ''}
          </span>
          {card.hidden
            ? card.warnings.map((warning) => (
                <span key={warning} className="card-warning">
                  ⚠ {warning}
                </span>
              ))
            : null}
        </span>
        <span className="card-status">
          <StatusDot tone={status.tone} />
          {status.text}
        </span>
      </button>
    </li>
  );
}

const SIZES = [
  { label: '256 MB', bytes: 256 * 1024 ** 2 },
  { label: '512 MB', bytes: 512 * 1024 ** 2 },
  { label: '1 GB', bytes: 1024 ** 3 },
  { label: '2 GB', bytes: 2 * 1024 ** 3 },
  { label: '4 GB', bytes: 4 * 1024 ** 3 },
];

function NewImageForm({ onDone }: { onDone: () => void }) {
  const [path, setPath] = useState('');
  const [size, setSize] = useState(SIZES[1]?.bytes ?? 0);
  const createImage = useCards((state) => state.createImage);
  return (
    <form
      className="panel inline-form"
      onSubmit={async (event) => {
        event.preventDefault();
        if (await createImage(path.trim(), size)) onDone();
      }}
    >
      <label className="field grow">
        <span>New card image file</span>
        <input
          value={path}
          onChange={(event) => setPath(event.target.value)}
          placeholder="/home/me/astlinux-card.img"
        />
      </label>
      <label className="field">
        <span>Size</span>
        <select value={size} onChange={(event) => setSize(Number(event.target.value))}>
          {SIZES.map((choice) => (
            <option key={choice.bytes} value={choice.bytes}>
              {choice.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="button-primary" disabled={path.trim() === ''}>
        Create
      </button>
    </form>
  );
}
