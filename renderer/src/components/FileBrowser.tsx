import { useEffect, useRef, useState } from 'react';
import type { ApiError, FileFilterId, FolderEntry, FolderListing } from '../../../shared/api.js';
import { FILE_FILTERS, PICKERS } from '../../../shared/file-pickers.js';
import { api, asApiError } from '../api/api.js';
import { formatBytes } from '../format.js';
import type { PickRequest } from '../stores/dialogs-store.js';
import { ErrorNote } from './ErrorNote.js';
import { Modal } from './Modal.js';

/**
 * The window's own file picker, for the browser (`astcard ui`), where no system dialog can be shown: the
 * computer's folders as the app sees them (home first, then removable media and recent folders), the
 * files filtered for what is being chosen, a folder field to go anywhere. Electron shows the system's
 * dialog instead (see dialogs-store).
 */
export function FileBrowser({
  request,
}: {
  request: PickRequest & { resolve(paths: string[] | null): void };
}) {
  const spec = PICKERS[request.purpose];
  const [filter, setFilter] = useState<FileFilterId>(spec.filters[0] ?? 'all');
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [folderField, setFolderField] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [saveName, setSaveName] = useState(request.suggestedName ?? spec.defaultName ?? '');
  const listRef = useRef<HTMLUListElement>(null);
  const moveFocus = useRef(false);
  // Answers can come back out of order (a slow home folder after a folder typed meanwhile): the last
  // folder asked for is the one shown, and a path being typed is not overwritten by an earlier answer.
  const latest = useRef(0);
  const typing = useRef(false);

  const open = async (path: string | null, withFilter = filter, focusList = true) => {
    const asked = ++latest.current;
    if (path !== null) typing.current = false;
    try {
      const next = await api().listFolder(path, withFilter);
      if (asked !== latest.current) return;
      setListing(next);
      if (!typing.current) setFolderField(next.path);
      setError(null);
      moveFocus.current = focusList;
    } catch (failure) {
      if (asked === latest.current) setError(asApiError(failure));
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: the home folder is listed once, on opening.
  useEffect(() => {
    void open(null, filter, false);
  }, []);
  useEffect(() => {
    // After going into a folder, start on its list, so the keyboard is not left on a button that is gone.
    if (listing && moveFocus.current) listRef.current?.focus();
    moveFocus.current = false;
  }, [listing]);

  const cancel = () => request.resolve(null);
  const separator = listing?.path.includes('\\') && !listing.path.includes('/') ? '\\' : '/';
  const inFolder = (name: string) =>
    listing ? `${listing.path.endsWith(separator) ? listing.path : listing.path + separator}${name}` : name;
  const nameOk = saveName.trim() !== '' && !/[\\/]/.test(saveName);
  const replaces = spec.mode === 'save' && listing?.entries.some((entry) => entry.name === saveName.trim());

  const finish = () => {
    if (!listing) return;
    if (spec.mode === 'folder') request.resolve([listing.path]);
    else if (spec.mode === 'save') request.resolve(nameOk ? [inFolder(saveName.trim())] : null);
    else request.resolve(chosen);
  };
  const toggle = (entry: FolderEntry, on: boolean) => {
    if (!spec.multiple) setChosen(on ? [entry.path] : []);
    else
      setChosen((current) => (on ? [...current, entry.path] : current.filter((path) => path !== entry.path)));
  };

  const ready = spec.mode === 'open' ? chosen.length > 0 : spec.mode === 'save' ? nameOk : listing !== null;
  const action =
    spec.mode === 'folder'
      ? 'Use this folder'
      : spec.mode === 'save'
        ? 'Save'
        : chosen.length > 1
          ? `Choose ${chosen.length} files`
          : 'Choose';
  const files = listing?.entries.filter((entry) => entry.kind === 'file') ?? [];
  const folders = listing?.entries.filter((entry) => entry.kind === 'folder') ?? [];

  return (
    <Modal title={spec.title} onCancel={cancel} wide initialFocus="#browser-folder">
      <p className="muted">{spec.hint}</p>
      <form
        className="browser-path"
        onSubmit={(event) => {
          event.preventDefault();
          if (folderField.trim()) void open(folderField.trim());
        }}
      >
        <label className="field grow">
          Folder
          <input
            id="browser-folder"
            value={folderField}
            onChange={(event) => {
              typing.current = true;
              setFolderField(event.target.value);
            }}
            spellCheck={false}
          />
        </label>
        <button type="submit">Go</button>
        <button
          type="button"
          disabled={!listing?.parent}
          onClick={() => listing?.parent && void open(listing.parent)}
        >
          Up one folder
        </button>
      </form>
      {error ? <ErrorNote error={error} onDismiss={() => setError(null)} /> : null}
      <div className="browser">
        <nav className="browser-places" aria-label="Places">
          <ul>
            {(listing?.places ?? []).map((place) => (
              <li key={place.path}>
                <button
                  type="button"
                  className="button-quiet"
                  title={place.path}
                  onClick={() => void open(place.path)}
                >
                  {place.label}
                </button>
              </li>
            ))}
          </ul>
          {listing && listing.recent.length > 0 ? (
            <>
              <h3 id="browser-recent">Recent folders</h3>
              <ul aria-labelledby="browser-recent">
                {listing.recent.map((path) => (
                  <li key={path}>
                    <button
                      type="button"
                      className="button-quiet"
                      title={path}
                      onClick={() => void open(path)}
                    >
                      {lastPart(path) || path}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </nav>
        <div className="browser-main">
          {spec.filters.length > 1 ? (
            <label className="browser-filter">
              Show
              <select
                value={filter}
                onChange={(event) => {
                  const next = event.target.value as FileFilterId;
                  setFilter(next);
                  void open(listing?.path ?? null, next, false);
                }}
              >
                {spec.filters.map((id) => (
                  <option key={id} value={id}>
                    {FILE_FILTERS[id].name}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <ul
            ref={listRef}
            className="browser-list"
            tabIndex={-1}
            aria-label={listing ? `In ${listing.path}` : 'Loading'}
          >
            {folders.map((entry) => (
              <li key={entry.path}>
                <button type="button" className="browser-folder" onClick={() => void open(entry.path)}>
                  <span aria-hidden="true">▸ </span>
                  {entry.name}
                </button>
              </li>
            ))}
            {files.map((entry) => (
              // The file's name alone names its control; size and date sit beside it.
              <li key={entry.path} className="browser-row">
                {spec.mode === 'open' ? (
                  <label className="browser-file">
                    <input
                      type={spec.multiple ? 'checkbox' : 'radio'}
                      name="browser-file"
                      checked={chosen.includes(entry.path)}
                      onChange={(event) => toggle(entry, event.target.checked)}
                    />
                    {entry.name}
                  </label>
                ) : (
                  // Saving: a file named here is the name to save as (over it, as the note then says).
                  <button type="button" className="browser-file" onClick={() => setSaveName(entry.name)}>
                    {entry.name}
                  </button>
                )}
                <span className="muted small browser-facts">{fileFacts(entry)}</span>
              </li>
            ))}
          </ul>
          <p className="muted small" aria-live="polite">
            {listing
              ? folderSummary(
                  listing,
                  folders.length,
                  files.length,
                  filter !== 'all' && spec.filters.includes('all'),
                )
              : 'Reading the folder…'}
          </p>
        </div>
      </div>
      {spec.mode === 'save' ? (
        <label className="field">
          File name
          <input value={saveName} onChange={(event) => setSaveName(event.target.value)} spellCheck={false} />
          {replaces ? (
            <span className="tone-bad">
              A file of this name is in this folder already: saving replaces it.
            </span>
          ) : null}
        </label>
      ) : null}
      {spec.multiple && chosen.length > 0 ? (
        <div>
          <h3 id="browser-chosen">Chosen</h3>
          <ul className="chosen" aria-labelledby="browser-chosen">
            {chosen.map((path) => (
              <li key={path}>
                {path}
                <button
                  type="button"
                  className="button-quiet"
                  aria-label={`Remove ${lastPart(path)}`}
                  onClick={() => setChosen((current) => current.filter((other) => other !== path))}
                >
                  ✕
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="dialog-buttons">
        <button type="button" onClick={cancel}>
          Cancel
        </button>
        <button type="button" className="button-primary" disabled={!ready} onClick={finish}>
          {action}
        </button>
      </div>
    </Modal>
  );
}

function lastPart(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? '';
}

function fileFacts(entry: FolderEntry): string {
  const size = entry.size === null ? '' : formatBytes(entry.size);
  const date = entry.modified ? new Date(entry.modified).toLocaleDateString() : '';
  return [size, date].filter(Boolean).join(' · ');
}

function folderSummary(listing: FolderListing, folders: number, files: number, canShowAll: boolean): string {
  const parts = [`${count(folders, 'folder')}, ${count(files, 'file')}.`];
  if (listing.filteredOut > 0) {
    const hidden = `${count(listing.filteredOut, 'other file')} ${listing.filteredOut === 1 ? 'is' : 'are'} not shown`;
    parts.push(canShowAll ? `${hidden}: choose “All files” under Show to see them.` : `${hidden}.`);
  }
  if (listing.truncated) parts.push('Only the first entries are listed: type a folder’s path to go further.');
  return parts.join(' ');
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
