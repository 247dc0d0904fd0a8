import { useEffect, useState } from 'react';
import type { CardTrust, CardView, TrustedKey } from '../../../shared/api.js';
import { api } from '../api/api.js';
import { choosePaths, confirm } from '../stores/dialogs-store.js';
import { useTrust } from '../stores/trust-store.js';
import { ErrorNote, Notice } from './ErrorNote.js';
import { signerName } from './signer-name.js';
import './signatures.css';

/**
 * The card view's "Signed images": the public keys the card trusts (keys/*.pub, signify format), what the
 * loader does with signatures on this card, and adding or removing a key.
 */
export function KeysPanel({ view, busy }: { view: CardView; busy: boolean }) {
  const state = useTrust();
  const [path, setPath] = useState('');
  const cardId = view.card.id;
  const load = state.load;
  // Read again after every change the view reports (images added or removed change who signed what).
  // biome-ignore lint/correctness/useExhaustiveDependencies: `view` is the trigger: a fresh look at the card.
  useEffect(() => {
    void load(cardId);
  }, [view, load, cardId]);
  const trust = state.cardId === cardId ? state.trust : null;

  const remove = async (key: TrustedKey) => {
    const name = key.file.replace(/^keys\//, '');
    const answer = await confirm({
      title: `Stop trusting ${key.ok ? signerName(key.comment) || name : name}?`,
      body: `${key.file} will be deleted from the card. Images signed only with this key are then treated as unsigned.`,
      confirmLabel: 'Remove key',
      danger: true,
    });
    if (answer !== null) await state.change({ remove: [name] }, `Removed ${key.file}.`);
  };

  return (
    <section className="panel" aria-labelledby="keys-title" data-testid="trusted-keys">
      <h2 id="keys-title">Signed images</h2>
      {state.cardId === cardId && state.error ? (
        <ErrorNote error={state.error} onDismiss={state.dismiss} />
      ) : null}
      {state.cardId === cardId && state.notice ? (
        <Notice text={state.notice} onDismiss={state.dismiss} />
      ) : null}
      {!trust ? (
        <p className="muted">Reading the card’s keys…</p>
      ) : (
        <>
          <p data-testid="signature-policy">{policyWords(trust)}</p>
          {trust.keys.length > 0 ? (
            <ul className="problems key-list" aria-label="Keys this card trusts">
              {trust.keys.map((key) => (
                <li key={key.file} className="key-row">
                  <span>
                    {key.ok ? (
                      <>
                        <strong>{signerName(key.comment) || 'no comment'}</strong>{' '}
                        <span className="muted small">
                          key {key.keyNumber} · {key.file}
                        </span>
                      </>
                    ) : (
                      <span className="tone-bad">
                        {key.file} cannot be used: {key.problem}
                      </span>
                    )}
                  </span>
                  <button
                    type="button"
                    className="button-quiet"
                    disabled={busy || state.saving}
                    onClick={() => void remove(key)}
                    aria-label={`Remove ${key.file}`}
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          <form
            className="inline-form"
            onSubmit={async (event) => {
              event.preventDefault();
              const file = path.trim();
              if (await state.change({ add: [file] }, `The card now trusts the key in ${file}.`)) setPath('');
            }}
            onDragOver={(event) => event.preventDefault()}
            onDrop={(event) => {
              // A .pub file dropped here names itself (in the desktop app, where dropped files have paths).
              const pathFor = api().pathForFile;
              const file = event.dataTransfer.files[0];
              if (!pathFor || !file) return;
              event.preventDefault();
              event.stopPropagation();
              setPath(pathFor(file));
            }}
          >
            <label className="field grow">
              <span>Public key file to trust (.pub, as made by signify or astcard key new)</span>
              <input
                value={path}
                onChange={(event) => setPath(event.target.value)}
                placeholder="/home/me/publisher.pub"
                spellCheck={false}
              />
            </label>
            <button
              type="button"
              disabled={busy || state.saving}
              onClick={async () => {
                const files = await choosePaths('public-key');
                if (!files || files.length === 0) return;
                const named = files.length === 1 ? files[0] : `${files.length} key files`;
                await state.change({ add: files }, `The card now trusts the key in ${named}.`);
              }}
            >
              Choose key file…
            </button>
            <button type="submit" disabled={busy || state.saving || path.trim() === ''}>
              {state.saving ? 'Saving…' : 'Trust this key'}
            </button>
          </form>
          {trust.notes.map((note) => (
            <p key={note} className="small tone-warning">
              ⚠ {note}
            </p>
          ))}
        </>
      )}
    </section>
  );
}

function policyWords(trust: CardTrust): string {
  const usable = trust.keys.filter((key) => key.ok).length;
  if (trust.policy === 'off') {
    return usable === 0
      ? 'This card trusts no key: its images boot by their checksum files, signed or not.'
      : 'Signature checks are switched off on this card (astlinux.signed=off): the keys below are not used.';
  }
  if (trust.policy === 'required') {
    return `Signed images only (astlinux.signed=required): an image no key below signed is never to boot.`;
  }
  return 'Signed images first (astlinux.signed=preferred): an image signed by a key below is preferred over a newer unsigned one.';
}
