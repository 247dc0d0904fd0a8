import { ProgressView } from '../components/ProgressView.js';
import { type PrepareStep, usePrepare } from '../stores/prepare-store.js';
import { DoneStep } from './PrepareResult.js';
import { CardsStep, ImagesStep, OptionsStep } from './PrepareSteps.js';

const STEPS: Array<{ step: PrepareStep; label: string }> = [
  { step: 'images', label: 'Images' },
  { step: 'cards', label: 'Cards' },
  { step: 'options', label: 'Options' },
  { step: 'running', label: 'Write' },
];

/** Prepare a new card: choose images → choose cards → options → go, then the result. */
export function PreparePage() {
  const step = usePrepare((state) => state.step);
  const at = step === 'done' ? STEPS.length : STEPS.findIndex((entry) => entry.step === step);
  return (
    <main className="page" aria-labelledby="prepare-title">
      <div className="page-head">
        <h1 id="prepare-title">Prepare a new card</h1>
        {step === 'cards' || step === 'options' ? (
          <button type="button" className="button-quiet" onClick={() => usePrepare.getState().reset()}>
            Start over
          </button>
        ) : null}
      </div>
      <ol className="stepper" aria-label="Steps">
        {STEPS.map((entry, index) => (
          <li
            key={entry.step}
            className={index < at ? 'step-done' : index === at ? 'step-now' : undefined}
            aria-current={index === at ? 'step' : undefined}
          >
            <span className="step-number">{index < at ? '✓' : index + 1}</span>
            {entry.label}
          </li>
        ))}
      </ol>
      {step === 'images' ? <ImagesStep /> : null}
      {step === 'cards' ? <CardsStep /> : null}
      {step === 'options' ? <OptionsStep /> : null}
      {step === 'running' ? <RunningStep /> : null}
      {step === 'done' ? <DoneStep /> : null}
    </main>
  );
}

function RunningStep() {
  const jobId = usePrepare((state) => state.jobId);
  return jobId ? <ProgressView jobId={jobId} title="Preparing" cancellable /> : null;
}
