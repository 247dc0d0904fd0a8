import type { CardImage } from '../../../shared/api.js';
import { formatBytes } from '../format.js';

const CHECKSUM: Record<CardImage['checksum'], { text: string; tone: string }> = {
  ok: { text: '✓ verified', tone: 'good' },
  mismatch: { text: '✗ damaged', tone: 'bad' },
  missing: { text: '✗ no checksum file', tone: 'bad' },
  malformed: { text: '✗ bad checksum file', tone: 'bad' },
  unverified: { text: 'not checked yet', tone: 'neutral' },
};

export function ImagesTable({
  images,
  busy,
  onRemove,
}: {
  images: CardImage[];
  busy: boolean;
  onRemove: (image: CardImage) => void;
}) {
  if (images.length === 0) return <p className="muted">No AstLinux images on this card yet.</p>;
  return (
    <table className="images">
      <caption className="visually-hidden">AstLinux images on this card, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">File</th>
          <th scope="col" className="num">
            Size
          </th>
          <th scope="col">Checksum</th>
          <th scope="col">Boots</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {images.map((image) => {
          const checksum = CHECKSUM[image.checksum];
          return (
            <tr key={image.name} className={image.boots ? 'row-boots' : undefined} title={image.line}>
              <td className="version">{image.version ?? '—'}</td>
              <td>{image.name}</td>
              <td className="num">{formatBytes(image.size)}</td>
              <td className={`tone-${checksum.tone}`}>{checksum.text}</td>
              <td>{image.boots ? <span className="pill">▶ boots</span> : ''}</td>
              <td className="num">
                <button
                  type="button"
                  className="button-quiet"
                  disabled={busy}
                  onClick={() => onRemove(image)}
                  aria-label={`Remove ${image.name}`}
                >
                  Remove
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function FreeSpaceBar({ size, free }: { size: number; free: number }) {
  const used = Math.max(0, size - free);
  const percent = size > 0 ? Math.round((used / size) * 100) : 0;
  return (
    <div className="space">
      <div className="bar bar-space" aria-hidden="true">
        <div className="bar-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="muted">
        {formatBytes(free)} free of {formatBytes(size)} ({percent}% used)
      </span>
    </div>
  );
}
