import { useState } from 'react';
import { useDialogs } from '../stores/dialogs-store.js';
import { FileBrowser } from './FileBrowser.js';
import { Modal } from './Modal.js';

/** The modal questions of dialogs-store: at most one shows at a time. */
export function Dialogs() {
  const confirmRequest = useDialogs((state) => state.confirm);
  const pickRequest = useDialogs((state) => state.pick);
  if (confirmRequest) return <ConfirmDialog key={confirmRequest.title} />;
  if (pickRequest) return <FileBrowser key={pickRequest.purpose} request={pickRequest} />;
  return null;
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
