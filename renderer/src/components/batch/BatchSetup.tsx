import { useEffect, useState } from 'react';
import { useBatch } from '../../stores/batch-store.js';
import { useCards, visibleCards } from '../../stores/cards-store.js';
import { choosePaths } from '../../stores/dialogs-store.js';
import { NameCheck } from './BatchNameCheck.js';
import { whatIsMissing } from './batch-ready.js';
import { CardChoice } from './CardChoice.js';
import { StationRules } from './StationRules.js';

/** The batch's set-up form: cards or station, name, images, keydisk, CSV, and the confirmation. */
export function BatchSetup() {
  const state = useBatch();
  const cards = visibleCards(useCards());
  const [confirming, setConfirming] = useState(false);
  const station = state.mode === 'station';
  const count = Number(state.count);
  // Cards chosen before that are gone (unplugged, closed) are not written: they are not counted either.
  const chosen = state.chosen.filter((id) => cards.some((card) => card.id === id));
  const { name, csvPath, recheck } = state;
  useEffect(() => {
    // Asked as the name or CSV is typed, once the typing pauses.
    const timer = setTimeout(() => void recheck(name, csvPath), 300);
    return () => clearTimeout(timer);
  }, [name, csvPath, recheck]);
  const missing = whatIsMissing(state, chosen.length);
  const ready = missing.length === 0;
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
      <NameCheck />
      <div className="inline-form">
        <label className="field grow">
          Images (one file or address a line)
          <textarea
            rows={2}
            value={state.images}
            onChange={(event) => state.set({ images: event.target.value })}
          />
        </label>
        <button
          type="button"
          onClick={async () => {
            const paths = await choosePaths('image');
            if (!paths) return;
            const lines = useBatch
              .getState()
              .images.split('\n')
              .filter((line) => line.trim() !== '');
            state.set({ images: [...lines, ...paths.filter((path) => !lines.includes(path))].join('\n') });
          }}
        >
          Choose images…
        </button>
      </div>
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
          <div className="inline-form">
            <label className="field grow">
              Keydisk template (kd.img)
              <input
                value={state.templatePath}
                onChange={(event) => state.set({ templatePath: event.target.value })}
              />
            </label>
            <button
              type="button"
              onClick={async () => {
                const [path] = (await choosePaths('keydisk')) ?? [];
                if (path) state.set({ templatePath: path });
              }}
            >
              Choose keydisk…
            </button>
          </div>
        ) : null}
      </fieldset>
      <div className="inline-form">
        <label className="field grow">
          Per-card values (CSV with hostname, ip, gateway…; optional)
          <input value={state.csvPath} onChange={(event) => state.set({ csvPath: event.target.value })} />
        </label>
        <button
          type="button"
          onClick={async () => {
            const [path] = (await choosePaths('csv')) ?? [];
            if (path) state.set({ csvPath: path });
          }}
        >
          Choose CSV…
        </button>
      </div>
      {station ? <StationRules /> : <CardChoice cards={cards} />}
      {confirming && ready ? (
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
                  Everything on these {chosen.length} card{chosen.length === 1 ? '' : 's'} will be erased:
                </strong>{' '}
                {chosen.map((id) => cards.find((card) => card.id === id)?.title ?? id).join(', ')}
              </>
            )}
            {state.addToReport && state.check ? (
              <p>
                They go into the report of “{state.check.folder}”, after the{' '}
                {state.check.verified + state.check.failed} cards already in it.
              </p>
            ) : null}
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
                if (!station) useBatch.setState({ chosen });
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
            aria-describedby={ready ? undefined : 'batch-missing'}
            onClick={() => setConfirming(true)}
          >
            {station
              ? 'Start the station…'
              : `Erase and write ${chosen.length} card${chosen.length === 1 ? '' : 's'}…`}
          </button>
        </div>
      )}
      {ready ? null : (
        <div id="batch-missing" className="muted">
          <p className="missing-title">To start, first:</p>
          <ul className="missing">
            {missing.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
