import { useEffect, useRef, useState } from 'react';
import { useDialogs } from '../stores/dialogs-store.js';

/** The modal questions of dialogs-store: at most one shows at a time. */
export function Dialogs() {
  const confirmRequest = useDialogs((state) => state.confirm);
  const pathRequest = useDialogs((state) => state.path);
  if (confirmRequest) return <ConfirmDialog key={confirmRequest.title} />;
  if (pathRequest) return <PathDialog key={pathRequest.title} />;
  return null;
}

function Modal({
  title,
  onCancel,
  children,
}: {
  title: string;
  onCancel: () => void;
  children: React.ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('input, textarea, button:not([disabled])');
    first?.focus();
    return () => previous?.focus();
  }, []);
  return (
    <div className="scrim">
      <div
        ref={ref}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onCancel();
          if (event.key !== 'Tab' || !ref.current) return;
          // Keep Tab inside the dialog.
          const items = [
            ...ref.current.querySelectorAll<HTMLElement>('input, textarea, button:not([disabled]), summary'),
          ];
          const first = items[0];
          const last = items[items.length - 1];
          if (event.shiftKey && document.activeElement === first) {
            last?.focus();
            event.preventDefault();
          } else if (!event.shiftKey && document.activeElement === last) {
            first?.focus();
            event.preventDefault();
          }
        }}
      >
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

function ConfirmDialog() {
  const request = useDialogs((state) => state.confirm);
  const [typed, setTyped] = useState('');
  if (!request) return null;
  const ready = request.typedName === undefined || typed.trim() === request.typedName;
  return (
    <Modal title={request.title} onCancel={() => request.resolve(null)}>
      <p>{request.body}</p>
      {request.typedName !== undefined ? (
        <label className="field">
          <span>
            This is a system drive. Type <code>{request.typedName}</code> to confirm.
          </span>
          <input value={typed} onChange={(event) => setTyped(event.target.value)} aria-label="Drive name" />
        </label>
      ) : null}
      <div className="dialog-buttons">
        <button type="button" onClick={() => request.resolve(null)}>
          Cancel
        </button>
        <button
          type="button"
          className={request.danger ? 'button-danger' : 'button-primary'}
          disabled={!ready}
          onClick={() => request.resolve(typed.trim())}
        >
          {request.confirmLabel}
        </button>
      </div>
    </Modal>
  );
}

function PathDialog() {
  const request = useDialogs((state) => state.path);
  const [text, setText] = useState('');
  if (!request) return null;
  const paths = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const submit = () => request.resolve(request.multiple ? paths : paths.slice(0, 1));
  return (
    <Modal title={request.title} onCancel={() => request.resolve(null)}>
      <div className="field">
        <label htmlFor="path-input">{request.hint}</label>
        {request.multiple ? (
          <textarea
            rows={3}
            value={text}
            onChange={(event) => setText(event.target.value)}
            id="path-input"
            aria-label="Path"
          />
        ) : (
          <input
            value={text}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => event.key === 'Enter' && paths.length > 0 && submit()}
            id="path-input"
            aria-label="Path"
          />
        )}
      </div>
      <div className="dialog-buttons">
        <button type="button" onClick={() => request.resolve(null)}>
          Cancel
        </button>
        <button type="button" className="button-primary" disabled={paths.length === 0} onClick={submit}>
          Choose
        </button>
      </div>
    </Modal>
  );
}
