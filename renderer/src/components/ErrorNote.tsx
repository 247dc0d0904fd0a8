import type { ApiError } from '../../../shared/api.js';

/** A problem in plain words; the technical detail is one click away, for support. */
export function ErrorNote({ error, onDismiss }: { error: ApiError; onDismiss?: () => void }) {
  return (
    <div className="note note-bad" role="alert" data-code={error.code}>
      <div className="note-text">
        <strong>{error.message}</strong>
        {error.detail ? (
          <details>
            <summary>Details for support</summary>
            <code>
              {error.code}: {error.detail}
            </code>
          </details>
        ) : null}
      </div>
      {onDismiss ? (
        <button type="button" className="button-quiet" onClick={onDismiss} aria-label="Dismiss">
          ✕
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ text, onDismiss }: { text: string; onDismiss?: () => void }) {
  return (
    <div className="note note-good" role="status">
      <div className="note-text">{text}</div>
      {onDismiss ? (
        <button type="button" className="button-quiet" onClick={onDismiss} aria-label="Dismiss">
          ✕
        </button>
      ) : null}
    </div>
  );
}
