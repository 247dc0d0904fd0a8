import { useEffect } from 'react';
import { api } from '../api/api.js';
import { ProgressView } from '../components/ProgressView.js';
import { useFocusOnMount } from '../focus.js';
import { useCards } from '../stores/cards-store.js';
import { type PrepareStep, usePrepare } from '../stores/prepare-store.js';
import { DoneStep } from './PrepareResult.js';
import { SetupStep } from './PrepareSetup.js';
import { CardsStep, ImagesStep, OptionsStep } from './PrepareSteps.js';

const STEPS: Array<{ step: PrepareStep; label: string }> = [
  { step: 'images', label: 'Images' },
  { step: 'cards', label: 'Cards' },
  { step: 'options', label: 'Options' },
  { step: 'setup', label: 'Set up (optional)' },
  { step: 'running', label: 'Write' },
];

/** Prepare a new card: choose images → choose cards → options → (set up this PBX) → go, then the result. */
export function PreparePage() {
  const step = usePrepare((state) => state.step);
  // Leaving Prepare: the card list goes back to the plain rules (no "too small" for images not chosen).
  useEffect(
    () => () => {
      void api()
        .planPrepare([], { mode: 'none' })
        .catch(() => undefined);
    },
    [],
  );
  const settingsChosen = usePrepare((state) => state.settings !== null);
  const failed = usePrepare(
    (state) => state.step === 'done' && (state.results ?? []).some((result) => !result.ok),
  );
  // A failed write is where the user stands: marked as failed, never as done.
  const at =
    step === 'done'
      ? failed
        ? STEPS.length - 1
        : STEPS.length
      : STEPS.findIndex((entry) => entry.step === step);
  return (
    <main className="page" aria-labelledby="prepare-title">
      <div className="page-head">
        <h1 id="prepare-title">Prepare a new card</h1>
        {step === 'cards' || step === 'options' || step === 'setup' ? (
          <button type="button" className="button-quiet" onClick={() => usePrepare.getState().reset()}>
            Start over
          </button>
        ) : null}
      </div>
      <ol className="stepper" aria-label="Steps">
        {STEPS.map((entry, index) => {
          const state = index < at ? 'done' : index === at ? (failed ? 'failed' : 'now') : 'later';
          // An optional step passed by says so, rather than wearing a tick for work not done.
          const skipped = entry.step === 'setup' && state === 'done' && !settingsChosen;
          return (
            <li
              key={entry.step}
              className={state === 'later' ? undefined : `step-${skipped ? 'skipped' : state}`}
              aria-current={index === at ? 'step' : undefined}
            >
              <span className="step-number" aria-hidden="true">
                {skipped ? '–' : state === 'done' ? '✓' : state === 'failed' ? '✕' : index + 1}
              </span>
              {skipped ? 'Set up (skipped)' : entry.label}
              {(state === 'done' && !skipped) || state === 'failed' ? (
                <span className="visually-hidden"> ({state})</span>
              ) : null}
            </li>
          );
        })}
      </ol>
      {step === 'images' ? <ImagesStep /> : null}
      {step === 'cards' ? <CardsStep /> : null}
      {step === 'options' ? <OptionsStep /> : null}
      {step === 'setup' ? <SetupStep /> : null}
      {step === 'running' ? <RunningStep /> : null}
      {step === 'done' ? <DoneStep /> : null}
    </main>
  );
}

/** One bar per card when several are written, each under the card's own name; one Cancel for all. */
function RunningStep() {
  const jobId = usePrepare((state) => state.jobId);
  const chosen = usePrepare((state) => state.cards);
  const cards = useCards((state) => state.cards);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  if (!jobId) return null;
  const name = (id: string) => cards.find((card) => card.id === id)?.title ?? id;
  return (
    <section aria-labelledby="step-running">
      <h2 id="step-running" ref={heading} tabIndex={-1}>
        {chosen.length === 1 ? `Writing ${name(chosen[0] as string)}` : `Writing ${chosen.length} cards`}
      </h2>
      {chosen.length < 2 ? (
        <ProgressView jobId={jobId} title="Preparing" cancellable />
      ) : (
        <div className="progress-cards">
          {chosen.map((id, index) => (
            <ProgressView
              key={id}
              jobId={jobId}
              cardId={id}
              title={`Card ${index + 1} of ${chosen.length}: ${name(id)}`}
              cancellable={index === chosen.length - 1}
            />
          ))}
        </div>
      )}
    </section>
  );
}
