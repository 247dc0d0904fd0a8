import type { CardImage, ChecksumSource, ImageSignature } from '../../../shared/api.js';
import { formatBytes } from '../format.js';
import { signerName } from './signer-name.js';
import './signatures.css';

/** A checksum that matched says what it was checked against: only a published or signed one proves the download. */
const MATCHED: Record<ChecksumSource, string> = {
  published: '✓ verified against its published checksum',
  signed: '✓ verified against its signed checksum list',
  recorded: '✓ matches the checksum astcard recorded (none was published)',
};

function checksumWords(image: CardImage): { text: string; tone: string } {
  if (image.checksum === 'ok' && image.checksumSource) {
    return {
      text: MATCHED[image.checksumSource],
      tone: image.checksumSource === 'recorded' ? 'neutral' : 'good',
    };
  }
  return CHECKSUM[image.checksum];
}

const CHECKSUM: Record<CardImage['checksum'], { text: string; tone: string }> = {
  ok: { text: '✓ verified', tone: 'good' },
  mismatch: { text: '✗ damaged', tone: 'bad' },
  missing: { text: '✗ no checksum file', tone: 'bad' },
  malformed: { text: '✗ bad checksum file', tone: 'bad' },
  unverified: { text: 'not checked yet', tone: 'neutral' },
};

/** Who signed an image, in the image list's words; the reason of a bad one is in its title. */
function SignatureCell({ signature }: { signature: ImageSignature | undefined }) {
  if (!signature || signature.status === 'unsigned') return <td className="tone-neutral">unsigned</td>;
  if (signature.status === 'signed') {
    return (
      <td className="tone-good" title={`key ${signature.keyNumber}, in ${signature.list}`}>
        ✓ {signerName(signature.signer) || `key ${signature.keyNumber}`}
      </td>
    );
  }
  return (
    <td className="tone-bad" title={signature.reason}>
      {signature.status === 'bad-signature' ? '✗ bad signature' : '✗ unknown key'}
      <span className="visually-hidden">: {signature.reason}</span>
    </td>
  );
}

export function ImagesTable({
  images,
  busy,
  onRemove,
  signatures = null,
}: {
  images: CardImage[];
  busy: boolean;
  onRemove: (image: CardImage) => void;
  /** Who signed each image, when the card looks at signatures at all (null: it does not). */
  signatures?: Record<string, ImageSignature> | null;
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
          {signatures ? <th scope="col">Signed by</th> : null}
          <th scope="col">Boots</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {images.map((image) => {
          const checksum = checksumWords(image);
          return (
            <tr key={image.name} className={image.boots ? 'row-boots' : undefined} title={image.line}>
              <td className="version">{image.version ?? '—'}</td>
              <td>{image.name}</td>
              <td className="num">{formatBytes(image.size)}</td>
              <td className={`tone-${checksum.tone}`}>{checksum.text}</td>
              {signatures ? <SignatureCell signature={signatures[image.name]} /> : null}
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
