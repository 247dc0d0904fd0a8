import { formatBytes } from '../format.js';
import { choosePaths } from '../stores/dialogs-store.js';
import { usePublish } from '../stores/network-store.js';
import { ErrorNote } from './ErrorNote.js';
import { ProgressView } from './ProgressView.js';

function lastFolderName(folder: string): string {
  const parts = folder.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? 'astlinux';
}

/**
 * "Publish for network boot": copies images into a folder a server can serve, with their .sha1 files and
 * the astlinux.index the loader reads, then says how to point cards at it.
 */
export function PublishPanel({ onClose }: { onClose: () => void }) {
  const state = usePublish();
  const running = state.jobId !== null;
  const ready = state.images.length > 0 && state.folder.trim() !== '' && !running;
  return (
    <section className="panel" aria-labelledby="publish-title" data-testid="publish-panel">
      <div className="panel-head">
        <h2 id="publish-title">Publish for network boot</h2>
        <button type="button" className="button-quiet" onClick={onClose} disabled={running}>
          Close
        </button>
      </div>
      <p className="muted">
        Makes a folder to serve over HTTP, FTP, TFTP or NFS: the images, their .sha1 files and astlinux.index.
        Images already in the folder stay listed.
      </p>
      {state.error ? (
        <ErrorNote error={state.error} onDismiss={() => usePublish.setState({ error: null })} />
      ) : null}
      <fieldset disabled={running}>
        <legend>Images</legend>
        {state.images.length > 0 ? (
          <ul className="chosen" aria-label="Images to publish">
            {state.images.map((image) => (
              <li key={image}>
                {image}
                <button
                  type="button"
                  className="button-quiet"
                  onClick={() => state.removeImage(image)}
                  aria-label={`Do not publish ${image}`}
                >
                  ✕
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted small">No image chosen yet.</p>
        )}
        <button
          type="button"
          onClick={async () => {
            const paths = await choosePaths('image');
            if (paths) state.addImages(paths);
          }}
        >
          Add images to publish…
        </button>
      </fieldset>
      <div className="inline-form">
        <label className="field grow">
          <span>Folder to publish into</span>
          <input
            value={state.folder}
            onChange={(event) => state.setFolder(event.target.value)}
            placeholder="/srv/www/astlinux"
            disabled={running}
          />
        </label>
        <button
          type="button"
          disabled={running}
          onClick={async () => {
            const [folder] = (await choosePaths('publish-folder')) ?? [];
            if (folder) state.setFolder(folder);
          }}
        >
          Choose folder…
        </button>
        <button
          type="button"
          className="button-primary"
          disabled={!ready}
          onClick={() => void state.publish()}
        >
          Publish
        </button>
      </div>
      {state.jobId ? <ProgressView jobId={state.jobId} title="Publishing" cancellable /> : null}
      {state.result ? (
        <div
          className="result result-ok summary"
          data-testid="publish-result"
          role="status"
          style={{ marginTop: '0.8rem' }}
        >
          <p>
            <strong>
              Published {state.result.published.join(', ')} into {state.result.folder}.
            </strong>
          </p>
          <p>astlinux.index lists, newest first:</p>
          <table className="images">
            <thead>
              <tr>
                <th>Image</th>
                <th className="num">Size</th>
                <th>SHA-1</th>
              </tr>
            </thead>
            <tbody>
              {state.result.index.map((entry) => (
                <tr key={entry.name}>
                  <td>{entry.name}</td>
                  <td className="num">{entry.size === null ? '' : formatBytes(entry.size)}</td>
                  <td>
                    <code>{entry.sha1}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            Serve this folder over HTTP, FTP, TFTP or NFS and point cards at it: on a card’s page, under
            Network boot, add the folder’s address, for example{' '}
            <code>http://&lt;server&gt;/{lastFolderName(state.result.folder)}/</code> — written on the card as{' '}
            <code>astlinux.source=http://&lt;server&gt;/{lastFolderName(state.result.folder)}/</code>.
          </p>
        </div>
      ) : null}
    </section>
  );
}
