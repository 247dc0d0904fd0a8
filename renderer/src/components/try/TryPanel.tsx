import { useEffect, useState } from 'react';
import type { TryFirmware } from '../../../../shared/api.js';
import { useCards } from '../../stores/cards-store.js';
import { isRunning, type TryRun, useTry } from '../../stores/try-store.js';
import { ErrorNote } from '../ErrorNote.js';
import { ProgressView } from '../ProgressView.js';
import { TryConsoleView } from './TryConsoleView.js';
import { stageWords, tryVerdict } from './try-words.js';
import './try.css';

/**
 * "Try this card": boots the card in a test machine on this computer — nothing on it changes — and says
 * whether it started what astcard predicted. The console shows live; Cancel stops the machine.
 */
export function TryPanel({
  cardId,
  disabled = false,
  headingLevel = 2,
}: {
  cardId: string;
  /** The card is busy with other work. */
  disabled?: boolean;
  headingLevel?: 2 | 3;
}) {
  const run = useTry((state) => state.run);
  const start = useTry((state) => state.start);
  const [firmware, setFirmware] = useState<TryFirmware>('bios');
  const other = run !== null && run.cardId !== cardId && isRunning(run);
  const otherTitle = useCards((cards) => cards.cards.find((card) => card.id === run?.cardId)?.title);
  const mine = run !== null && run.cardId === cardId ? run : null;
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const idPrefix = `try-${cardId.replace(/[^A-Za-z0-9]/g, '_')}`;

  return (
    <section className="panel try-panel" aria-labelledby={`${idPrefix}-title`} data-testid="try-panel">
      <div className="panel-head">
        <Heading id={`${idPrefix}-title`}>Try this card</Heading>
      </div>
      {mine && isRunning(mine) ? (
        <TryRunning run={mine} idPrefix={idPrefix} />
      ) : (
        <>
          {mine ? <TryFinished run={mine} idPrefix={idPrefix} /> : null}
          <p className={mine ? 'muted small' : undefined}>
            Boots this card in a test machine on this computer, as a PC would, and checks that it starts what
            astcard predicts. Nothing on the card changes.
          </p>
          <div className="actions">
            <fieldset className="try-firmware">
              <legend className="visually-hidden">Firmware of the test machine</legend>
              <label className="check">
                <input
                  type="radio"
                  name={`${idPrefix}-firmware`}
                  checked={firmware === 'bios'}
                  onChange={() => setFirmware('bios')}
                />
                BIOS
              </label>
              <label className="check">
                <input
                  type="radio"
                  name={`${idPrefix}-firmware`}
                  checked={firmware === 'uefi'}
                  onChange={() => setFirmware('uefi')}
                />
                UEFI
              </label>
            </fieldset>
            <button
              type="button"
              className={mine ? undefined : 'button-primary'}
              disabled={disabled || other}
              onClick={() => void start(cardId, firmware)}
            >
              {mine ? 'Try again' : 'Try this card'}
            </button>
          </div>
          {other ? (
            <p className="muted small">
              {otherTitle ?? 'Another card'} is being tried now; one test machine runs at a time.
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}

function TryRunning({ run, idPrefix }: { run: TryRun; idPrefix: string }) {
  const cancel = useTry((state) => state.cancel);
  const seconds = useSecondsSince(run.startedAt);
  return (
    <>
      <p className="try-stage">
        <span aria-live="polite">{stageWords(run.stage, run.firmware)}</span>{' '}
        <span className="muted">{seconds} s</span>
      </p>
      {run.stage === null ? (
        <ProgressView jobId={run.jobId} cardId={run.cardId} title="Checking the images for the prediction" />
      ) : null}
      <div className="actions">
        <button type="button" disabled={run.cancelling} onClick={() => void cancel()}>
          {run.cancelling ? 'Stopping the test machine…' : 'Cancel'}
        </button>
      </div>
      {run.stage !== null ? <TryConsoleView run={run} idPrefix={idPrefix} /> : null}
    </>
  );
}

function TryFinished({ run, idPrefix }: { run: TryRun; idPrefix: string }) {
  if (run.error) {
    return run.error.code === 'cancelled' ? (
      <p className="muted" data-testid="try-result">
        {run.error.message}
      </p>
    ) : (
      <ErrorNote error={run.error} />
    );
  }
  const result = run.result;
  if (!result) return null;
  const verdict = tryVerdict(result);
  return (
    <>
      <div
        className={`banner banner-${verdict.tone}${verdict.disagrees ? ' try-disagrees' : ''}`}
        role={verdict.disagrees ? 'alert' : 'status'}
        data-testid="try-result"
        data-outcome={result.outcome}
      >
        <h3 className="try-result-line">{verdict.title}</h3>
        {verdict.details.map((detail) => (
          <p key={detail}>{detail}</p>
        ))}
        <p>
          Console log: <code data-testid="try-log-path">{result.logPath}</code>
        </p>
      </div>
      <details className="try-details" open={verdict.disagrees || verdict.tone === 'bad'}>
        <summary>The console of this try</summary>
        <TryConsoleView run={run} idPrefix={idPrefix} />
      </details>
    </>
  );
}

function useSecondsSince(start: number): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return Math.max(0, Math.floor((now - start) / 1000));
}
