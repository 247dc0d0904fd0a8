import { useState } from 'react';
import type { CardSummary, PreparedCard } from '../../../shared/api.js';
import { api } from '../api/api.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { TryPanel } from '../components/try/TryPanel.js';
import { useFocusOnMount } from '../focus.js';
import { formatBytes } from '../format.js';
import { useCard } from '../stores/card-store.js';
import { useCards } from '../stores/cards-store.js';
import { usePrepare } from '../stores/prepare-store.js';
import { isRunning, useTry } from '../stores/try-store.js';

/** The end of Prepare: per card, what was written and read back, or why it failed; Eject. */
export function DoneStep() {
  const results = usePrepare((state) => state.results) ?? [];
  const cards = useCards((state) => state.cards);
  const failed = results.filter((result) => !result.ok).length;
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section aria-labelledby="step-done">
      <h2 id="step-done" ref={heading} tabIndex={-1} className={failed ? 'tone-bad' : 'tone-good'}>
        {failed === 0
          ? results.length === 1
            ? 'The card is ready'
            : `All ${results.length} cards are ready`
          : results.length === 1
            ? 'The card could not be prepared'
            : `${failed} of ${results.length} cards failed`}
      </h2>
      {results.map((result) => (
        <ResultCard
          key={result.cardId}
          result={result}
          card={cards.find((card) => card.id === result.cardId)}
        />
      ))}
      <div className="step-buttons">
        {failed > 0 ? (
          <div className="actions">
            <button
              type="button"
              className="button-primary"
              onClick={() => void usePrepare.getState().retry(cards)}
            >
              {failed === results.length
                ? 'Try again'
                : `Try again with the ${failed === 1 ? 'failed card' : `${failed} failed cards`}`}
            </button>
            <button type="button" onClick={() => usePrepare.getState().setStep('options')}>
              Change the choices
            </button>
          </div>
        ) : (
          <span />
        )}
        <button type="button" onClick={() => usePrepare.getState().reset()}>
          Prepare another card
        </button>
      </div>
    </section>
  );
}

function ResultCard({ result, card }: { result: PreparedCard; card: CardSummary | undefined }) {
  const [ejected, setEjected] = useState(false);
  const [ejectError, setEjectError] = useState<string | null>(null);
  const trying = useTry((state) => state.run?.cardId === result.cardId && isRunning(state.run));
  const name = card?.title ?? result.cardId;
  return (
    <article className={`panel result ${result.ok ? 'result-ok' : 'result-bad'}`}>
      <h3>{name}</h3>
      {result.ok ? (
        <>
          <ul>
            {result.images?.map((image) => (
              <li key={image.name}>
                ✓ {image.name} ({formatBytes(image.size)}) — written and read back, SHA-1{' '}
                {image.sha1.slice(0, 12)}…
              </li>
            ))}
            <li>
              ✓ AstLinux loader {result.loaderVersion}, FAT{result.fatType} “{result.label}”
            </li>
            <li>{result.keydisk ? '✓ Keydisk copied' : 'No keydisk'}</li>
            {result.settings ? (
              <li data-testid="prepared-settings">
                ✓ PBX settings {result.settings.changed.join(', ')} in{' '}
                {result.settings.file.replace(/^\//, '')} on the keydisk
              </li>
            ) : null}
          </ul>
          <div className="actions">
            <button type="button" onClick={() => void useCard.getState().open(result.cardId)}>
              Open card
            </button>
            <button
              type="button"
              className="button-primary"
              disabled={ejected || trying}
              onClick={async () => {
                try {
                  await api().eject(result.cardId);
                  setEjected(true);
                } catch (error) {
                  setEjectError((error as { message?: string }).message ?? String(error));
                }
              }}
            >
              {ejected ? 'Ejected: you can remove it' : 'Eject'}
            </button>
          </div>
          {ejectError ? <ErrorNote error={{ code: 'eject-failed', message: ejectError }} /> : null}
          {ejected ? null : <TryPanel cardId={result.cardId} headingLevel={3} />}
        </>
      ) : result.error ? (
        <ErrorNote error={result.error} />
      ) : null}
    </article>
  );
}
