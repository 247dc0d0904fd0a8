import { useEffect, useState } from 'react';
import type { ApiError, KeydiskChoice, SettingsModel, SettingsView } from '../../../shared/api.js';
import { api, asApiError } from '../api/api.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { SettingsForm, type SettingsFormState } from '../components/settings/SettingsForm.js';
import { isEmptyChange } from '../components/settings/settings-draft.js';
import { useFocusOnMount } from '../focus.js';
import { useCards } from '../stores/cards-store.js';
import { usePrepare } from '../stores/prepare-store.js';
import { settingsModel } from '../stores/settings-store.js';

/**
 * Prepare's optional step "Set up this PBX": the settings go into the keydisk before it is written, so the
 * PBX starts with its host name, addresses and time zone. Over a new keydisk, or the one being imported.
 */
export function SetupStep() {
  const state = usePrepare();
  const cards = useCards((cardsState) => cardsState.cards);
  const chosen = cards.filter((card) => state.cards.includes(card.id));
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [model, setModel] = useState<SettingsModel | null>(null);
  const [base, setBase] = useState<SettingsView | null>(null);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [form, setForm] = useState<SettingsFormState | null>(null);
  const keydisk = state.keydisk;
  const keydiskKey = keydisk.mode === 'import' ? `import:${keydisk.path}` : keydisk.mode;

  useEffect(() => {
    settingsModel().then(setModel, (error: unknown) => setProblem(asApiError(error)));
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `keydiskKey` stands for `keydisk`, compared by content.
  useEffect(() => {
    setBase(null);
    if (keydisk.mode === 'none') return;
    let stale = false;
    api()
      .readSettings(keydisk.mode === 'import' ? { keydiskFile: keydisk.path } : { newKeydisk: true })
      .then(
        (view) => !stale && setBase(view),
        (error: unknown) => !stale && setProblem(asApiError(error)),
      );
    return () => {
      stale = true;
    };
  }, [keydiskKey]);

  const ready = form === null || form.empty || form.ready;
  return (
    <section className="panel" aria-labelledby="step-setup">
      <h2 id="step-setup" ref={heading} tabIndex={-1}>
        Set up this PBX
      </h2>
      <p className="muted">
        Optional. AstLinux reads these from the keydisk when it first starts, so the PBX comes up with its own
        name and address. Fields left empty keep AstLinux’s defaults.
      </p>
      {chosen.length > 1 ? (
        <p className="note note-warn">
          All {chosen.length} cards get the same settings. For a host name and address per card, use a batch
          with a CSV file instead.
        </p>
      ) : null}
      {problem ? <ErrorNote error={problem} onDismiss={() => setProblem(null)} /> : null}
      {keydisk.mode === 'none' ? (
        <NeedsKeydisk onChoose={(choice) => state.setKeydisk(choice)} />
      ) : base && model ? (
        <SettingsForm
          key={keydiskKey}
          view={base}
          {...(state.settings ? { initial: state.settings } : {})}
          model={model}
          idPrefix="prepare-settings"
          onState={setForm}
        />
      ) : (
        <p className="muted">Reading the keydisk…</p>
      )}
      {state.error ? (
        <ErrorNote error={state.error} onDismiss={() => usePrepare.setState({ error: null })} />
      ) : null}
      <div className="step-buttons">
        <button
          type="button"
          onClick={() => {
            if (form) state.setSettings(isEmptyChange(form.changes) ? null : form.changes);
            state.setStep('options');
          }}
        >
          Back
        </button>
        <button
          type="button"
          className="button-danger"
          disabled={!ready || keydisk.mode === 'none'}
          aria-describedby={!ready ? 'setup-why' : undefined}
          onClick={() => {
            state.setSettings(form && !form.empty ? form.changes : null);
            void usePrepare.getState().start(cards);
          }}
        >
          Erase and prepare {chosen.length === 1 ? 'the card' : `${chosen.length} cards`}
        </button>
      </div>
      {!ready ? (
        <p id="setup-why" className="muted step-why">
          Fix the settings marked above, or empty them, to go on.
        </p>
      ) : null}
    </section>
  );
}

function NeedsKeydisk({ onChoose }: { onChoose(choice: KeydiskChoice): void }) {
  return (
    <div className="note note-warn">
      <div className="note-text">
        <p>
          The settings are kept on the keydisk, and “No keydisk” is chosen. Make a new keydisk to hold them,
          or go back and import yours.
        </p>
        <button type="button" onClick={() => onChoose({ mode: 'new' })}>
          Make a new keydisk for them
        </button>
      </div>
    </div>
  );
}
