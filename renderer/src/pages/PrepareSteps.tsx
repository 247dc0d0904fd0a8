import { useEffect, useState } from 'react';
import type { SettingsChanges } from '../../../shared/api.js';
import { api } from '../api/api.js';
import { cardLine, cardPlace } from '../card-status.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { StatusDot } from '../components/StatusDot.js';
import { useFocusOnMount } from '../focus.js';
import { formatBytes } from '../format.js';
import { useCards, visibleCards } from '../stores/cards-store.js';
import { choosePaths } from '../stores/dialogs-store.js';
import { usePrepare } from '../stores/prepare-store.js';

/** The choosing steps of Prepare: images, cards, options. */
export function ImagesStep() {
  const state = usePrepare();
  const [url, setUrl] = useState('');
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section className="panel" aria-labelledby="step-images">
      <h2 id="step-images" ref={heading} tabIndex={-1}>
        Which AstLinux images go on the card?
      </h2>
      <p className="muted">
        The card boots the newest one that passes its checksum; the others are kept as fallbacks.
      </p>
      {state.images.length > 0 ? (
        <ul className="chosen">
          {state.images.map((image) => (
            <li key={image}>
              <span>{image}</span>
              <button
                type="button"
                className="button-quiet"
                onClick={() => state.removeImage(image)}
                aria-label={`Remove ${image}`}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="actions">
        <button
          type="button"
          onClick={async () => {
            const paths = await choosePaths('image');
            if (paths) state.addImages(paths);
          }}
        >
          Add image files…
        </button>
      </div>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          state.addImages([url.trim()]);
          setUrl('');
        }}
      >
        <label className="field grow">
          <span>Or a web address</span>
          <input
            type="url"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            placeholder="https://…/AstLinux-1.5.4.img"
          />
        </label>
        <button type="submit" disabled={!/^https?:\/\/\S+$/i.test(url.trim())}>
          Add
        </button>
      </form>
      <div className="step-buttons">
        <span />
        <button
          type="button"
          className="button-primary"
          disabled={state.images.length === 0}
          aria-describedby={state.images.length === 0 ? 'images-why' : undefined}
          onClick={() => state.setStep('cards')}
        >
          Next: choose cards
        </button>
      </div>
      {state.images.length === 0 ? (
        <p id="images-why" className="muted step-why">
          Add an image file or a web address to go on.
        </p>
      ) : null}
    </section>
  );
}

export function CardsStep() {
  const state = usePrepare();
  const cardsState = useCards();
  const cards = visibleCards(cardsState);
  const hiddenCount = cardsState.cards.filter((card) => card.hidden).length;
  const heading = useFocusOnMount<HTMLHeadingElement>();
  // The rule that flags a card is the rule that stops Next: what the warning says is what happens.
  const blocked = cardsState.cards.filter(
    (card) => state.cards.includes(card.id) && card.access === 'blocked',
  );
  const why =
    state.cards.length === 0
      ? 'Choose at least one card to go on.'
      : blocked.length > 0
        ? `${blocked.map((card) => card.title).join(', ')} cannot be prepared with these images (the warning beside ${blocked.length === 1 ? 'it' : 'each'} says why). Untick ${blocked.length === 1 ? 'it' : 'them'} to go on, or go back and choose fewer images.`
        : null;
  // The list is classified against the chosen images: a card too small for them says so here, not at start.
  const { images, keydisk } = state;
  useEffect(() => {
    void api()
      .planPrepare(images, keydisk)
      .catch(() => undefined);
  }, [images, keydisk]);
  return (
    <section className="panel" aria-labelledby="step-cards">
      <h2 id="step-cards" ref={heading} tabIndex={-1}>
        Which cards should be erased and prepared?
      </h2>
      {cards.length === 0 ? <p className="muted">No card found. Insert one, or open a card image.</p> : null}
      <ul className="pick-list">
        {cards.map((card) => (
          <li key={card.id}>
            <label className={`pick${card.hidden ? ' pick-risky' : ''}`}>
              <input
                type="checkbox"
                checked={state.cards.includes(card.id)}
                // A drive the rules block can be unticked, never ticked.
                disabled={card.access === 'blocked' && !state.cards.includes(card.id)}
                onChange={() => state.toggleCard(card.id)}
              />
              <span className="card-main">
                <span className="card-title">{card.title}</span>
                <span className="card-sub muted">{cardPlace(card)}</span>
                {card.warnings.map((warning) => (
                  <span key={warning} className="card-warning">
                    ⚠ {warning}
                  </span>
                ))}
              </span>
              <span className="card-status">
                <StatusDot tone={cardLine(card).tone} />
                {cardLine(card).text}
              </span>
            </label>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button
          type="button"
          onClick={async () => {
            const [path] = (await choosePaths('card-image')) ?? [];
            if (!path) return;
            const card = await cardsState.openImage(path);
            if (card && !state.cards.includes(card.id)) state.toggleCard(card.id);
          }}
        >
          Open card image…
        </button>
        {hiddenCount > 0 ? (
          <label className="check">
            <input
              type="checkbox"
              checked={cardsState.showAll}
              onChange={(event) => cardsState.setShowAll(event.target.checked)}
            />
            Show all drives ({hiddenCount} hidden)
          </label>
        ) : null}
      </div>
      {cardsState.error ? (
        <ErrorNote error={cardsState.error} onDismiss={() => useCards.setState({ error: null })} />
      ) : null}
      <div className="step-buttons">
        <button type="button" onClick={() => state.setStep('images')}>
          Back
        </button>
        <button
          type="button"
          className="button-primary"
          disabled={why !== null}
          aria-describedby={why !== null ? 'cards-why' : undefined}
          onClick={() => state.setStep('options')}
        >
          Next: options
        </button>
      </div>
      {why !== null ? (
        <p id="cards-why" className={blocked.length > 0 ? 'card-warning step-why' : 'muted step-why'}>
          {why}
        </p>
      ) : null}
    </section>
  );
}

export function OptionsStep() {
  const state = usePrepare();
  const cards = useCards((cardsState) => cardsState.cards);
  const chosen = cards.filter((card) => state.cards.includes(card.id));
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section className="panel" aria-labelledby="step-options">
      <h2 id="step-options" ref={heading} tabIndex={-1}>
        Options
      </h2>
      <fieldset>
        <legend>Keydisk</legend>
        <label className="check">
          <input
            type="radio"
            name="keydisk"
            checked={state.keydisk.mode === 'none'}
            onChange={() => state.setKeydisk({ mode: 'none' })}
          />
          No keydisk
        </label>
        <label className="check">
          <input
            type="radio"
            name="keydisk"
            checked={state.keydisk.mode === 'new'}
            onChange={() => state.setKeydisk({ mode: 'new' })}
          />
          Make a new, empty keydisk
        </label>
        <label className="check">
          <input
            type="radio"
            name="keydisk"
            checked={state.keydisk.mode === 'import'}
            onChange={async () => {
              const [path] = (await choosePaths('keydisk')) ?? [];
              if (path) state.setKeydisk({ mode: 'import', path });
            }}
          />
          Import a keydisk file (kd.img){state.keydisk.mode === 'import' ? `: ${state.keydisk.path}` : '…'}
        </label>
      </fieldset>
      <fieldset>
        <legend>Layout</legend>
        <label className="check">
          <input
            type="radio"
            name="layout"
            checked={state.layout === 'mbr'}
            onChange={() => state.setLayout('mbr')}
          />
          Partitioned (recommended: boots on almost every PC)
        </label>
        <label className="check">
          <input
            type="radio"
            name="layout"
            checked={state.layout === 'superfloppy'}
            onChange={() => state.setLayout('superfloppy')}
          />
          Whole-card volume, no partition table (for old BIOSes that want it)
        </label>
      </fieldset>
      <div className="summary">
        <p>
          <strong>Writes</strong> {state.images.map((image) => image.split(/[\\/]/).pop()).join(', ')}
        </p>
        <p>
          <strong>Erases</strong>{' '}
          {chosen.map((card) => `${card.title} (${formatBytes(card.size)})`).join(', ')}
        </p>
        {state.settings ? (
          <p data-testid="prepare-settings-summary">
            <strong>PBX settings</strong> {settingsWords(state.settings)}
          </p>
        ) : null}
      </div>
      {state.error ? (
        <ErrorNote error={state.error} onDismiss={() => usePrepare.setState({ error: null })} />
      ) : null}
      <div className="step-buttons">
        <button type="button" onClick={() => state.setStep('cards')}>
          Back
        </button>
        <div className="actions">
          <button type="button" onClick={() => state.setStep('setup')}>
            {state.settings ? 'Change the PBX settings…' : 'Set up this PBX…'}
          </button>
          <button type="button" className="button-danger" onClick={() => void state.start(cards)}>
            Erase and prepare {chosen.length === 1 ? 'the card' : `${chosen.length} cards`}
          </button>
        </div>
      </div>
    </section>
  );
}

/** The settings chosen for the keydisk, in a line: what is set, and what goes back to its default. */
function settingsWords(settings: SettingsChanges): string {
  const set = Object.entries(settings.set).map(([name, value]) => `${name}=${value}`);
  const unset = settings.unset.map((name) => `${name} back to its default`);
  return [...set, ...unset].join(', ');
}
