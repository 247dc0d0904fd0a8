import { useEffect, useState } from 'react';
import type { CardView, NetworkSettings } from '../../../shared/api.js';
import { formatSourceList, parseRemoteSource } from '../../../shared/remote-source.js';
import { formatStaticAddress, parseStaticAddress } from '../../../shared/static-address.js';
import { useNetwork } from '../stores/network-store.js';
import { ErrorNote, Notice } from './ErrorNote.js';

/**
 * What the banner adds for a card with network sources: where it boots from first, and what happens when
 * the network fails. Null for a card that boots its own images only.
 */
export function networkSentence(settings: NetworkSettings | null, cardImage: string | null): string | null {
  if (!settings || settings.urls.length === 0) return null;
  const [first, ...rest] = settings.urls;
  const order =
    rest.length > 0 ? `Boots from ${first} first, then ${rest.join(', then ')}` : `Boots from ${first} first`;
  if (!settings.cardFallback) return `${order}; never from the card’s own images.`;
  return cardImage
    ? `${order}; ${cardImage} on the card if ${rest.length > 0 ? 'those fail' : 'that fails'}.`
    : `${order}; the card has no image of its own to fall back on.`;
}

/** Why a typed source is not one, in plain words; null when the loader will accept it. */
export function sourceProblem(text: string, others: string[]): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return 'Type the address of a folder, like http://192.168.1.10/astlinux/';
  const parsed = parseRemoteSource(trimmed);
  if (!parsed.ok) return `Not usable: ${parsed.reason}.`;
  const url = parsed.source.url;
  if (others.some((other) => parseRemoteSource(other.trim()).ok && normal(other) === url)) {
    return 'This address is listed twice.';
  }
  return null;
}

function normal(text: string): string {
  const parsed = parseRemoteSource(text.trim());
  return parsed.ok ? parsed.source.url : text;
}

interface Draft {
  urls: string[];
  cardFallback: boolean;
  mode: 'dhcp' | 'static';
  address: string;
  gateway: string;
  dns: string;
}

function draftOf(settings: NetworkSettings): Draft {
  const parsed = settings.ip ? parseStaticAddress(settings.ip) : null;
  const address = parsed?.ok ? parsed.address : null;
  return {
    urls: settings.urls.length > 0 ? settings.urls.slice() : [''],
    cardFallback: settings.cardFallback,
    mode: address ? 'static' : 'dhcp',
    address: address ? `${address.address}/${address.prefix}` : '',
    gateway: address?.gateway ?? '',
    dns: address?.dns ?? '',
  };
}

/** The static address as `astlinux.ip=` takes it, or the reason it is not one. */
function addressOf(draft: Draft): { ok: true; ip: string | null } | { ok: false; reason: string } {
  if (draft.mode === 'dhcp') return { ok: true, ip: null };
  if (draft.address.trim() === '') {
    return { ok: false, reason: 'Type this card’s address with its prefix, like 192.168.1.20/24.' };
  }
  const gateway = draft.gateway.trim();
  const dns = draft.dns.trim();
  const text = `${draft.address.trim()}${gateway || dns ? `,${gateway}` : ''}${dns ? `,${dns}` : ''}`;
  const parsed = parseStaticAddress(text);
  if (!parsed.ok) return { ok: false, reason: `Not usable: ${parsed.reason}.` };
  return { ok: true, ip: formatStaticAddress(parsed.address) };
}

/** The card view's "Network boot" section: the sources in order, the fallback, the address; and editing. */
export function NetworkSources({ view, busy }: { view: CardView; busy: boolean }) {
  const state = useNetwork();
  const [draft, setDraft] = useState<Draft | null>(null);
  const cardId = view.card.id;
  const load = state.load;
  // A different card: whatever was being edited belongs to the old one.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on purpose whenever the card shown changes.
  useEffect(() => setDraft(null), [cardId]);
  // Read again after every change the view reports (a loader update rewrites syslinux.cfg too).
  useEffect(() => {
    void load(view.card.id);
  }, [view, load]);
  const settings = state.cardId === cardId ? state.settings : null;

  return (
    <section className="panel" aria-labelledby="network-title" data-testid="network-sources">
      <div className="panel-head">
        <h2 id="network-title">Network boot</h2>
        {settings && !draft ? (
          <div className="actions">
            <button type="button" disabled={busy || state.saving} onClick={() => setDraft(draftOf(settings))}>
              {settings.urls.length > 0 ? 'Change…' : 'Set up network boot…'}
            </button>
          </div>
        ) : null}
      </div>
      {state.error ? <ErrorNote error={state.error} onDismiss={state.dismiss} /> : null}
      {state.notice ? <Notice text={state.notice} onDismiss={state.dismiss} /> : null}
      {!settings ? (
        <p className="muted">Reading syslinux.cfg…</p>
      ) : draft ? (
        <NetworkForm
          draft={draft}
          onChange={setDraft}
          saving={state.saving}
          busy={busy}
          onCancel={() => setDraft(null)}
          onSave={async (next) => {
            if (await state.save(next)) setDraft(null);
          }}
        />
      ) : (
        <NetworkSummary settings={settings} />
      )}
    </section>
  );
}

function NetworkSummary({ settings }: { settings: NetworkSettings }) {
  if (settings.urls.length === 0) {
    return (
      <p>
        This card boots its own images only. With network boot, the loader fetches the newest image from a
        server (HTTP, FTP, TFTP or NFS) and checks it exactly as it checks the card’s.
      </p>
    );
  }
  const parsed = settings.ip ? parseStaticAddress(settings.ip) : null;
  const address = parsed?.ok ? parsed.address : null;
  return (
    <>
      <p>The loader tries, in order:</p>
      <ol aria-label="Network sources">
        {settings.urls.map((url) => (
          <li key={url}>
            <code>{url}</code>
          </li>
        ))}
        {settings.cardFallback ? <li>the card’s own images</li> : null}
      </ol>
      {!settings.cardFallback ? (
        <p className="tone-bad">The card’s own images are never used, even when the network fails.</p>
      ) : null}
      <p data-testid="network-address">
        {address
          ? `Network: static address ${address.address}/${address.prefix}${
              address.gateway ? `, gateway ${address.gateway}` : ''
            }${address.dns ? `, DNS ${address.dns}` : ''}`
          : 'Network: automatic address (DHCP)'}
      </p>
    </>
  );
}

function NetworkForm({
  draft,
  onChange,
  onSave,
  onCancel,
  saving,
  busy,
}: {
  draft: Draft;
  onChange(draft: Draft): void;
  onSave(settings: NetworkSettings): void;
  onCancel(): void;
  saving: boolean;
  busy: boolean;
}) {
  const set = (patch: Partial<Draft>) => onChange({ ...draft, ...patch });
  const typed = draft.urls.filter((url) => url.trim() !== '');
  // A blank row is where the next address goes: skipped, never a problem. No address at all clears them.
  const rows = draft.urls.map((url, index) => ({
    url,
    problem: url.trim() === '' ? null : sourceProblem(url, draft.urls.slice(0, index)),
  }));
  const noSources = typed.length === 0;
  const address = addressOf(draft);
  const valid = rows.every((row) => row.problem === null) && (noSources || address.ok);
  const move = (from: number, to: number) => {
    const urls = draft.urls.slice();
    const [moved] = urls.splice(from, 1);
    urls.splice(to, 0, moved ?? '');
    set({ urls });
  };
  let written = '';
  if (valid && !noSources) {
    written = `astlinux.source=${formatSourceList(
      typed.map((url) => url.trim()),
      draft.cardFallback ? 'last' : 'no',
    )}`;
    if (address.ok && address.ip) written += ` astlinux.ip=${address.ip}`;
  }

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (!valid) return;
        onSave({
          urls: typed.map((url) => url.trim()),
          cardFallback: noSources ? true : draft.cardFallback,
          ip: noSources || !address.ok ? null : address.ip,
        });
      }}
    >
      <fieldset>
        <legend>Sources, tried in order</legend>
        <p className="muted small">
          A folder on a server holding the images, their .sha1 files and astlinux.index (see “Publish for
          network boot” on the Cards page). http://, ftp://, tftp:// and nfs:// (by IP address) work; https://
          does not (the loader has no TLS), and it is not needed: every image is checked against the index.
        </p>
        <ol className="source-rows">
          {rows.map((row, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the order being edited; their text changes as it is typed.
            <li key={index}>
              <div className="inline-form">
                <label className="field grow">
                  <span>Source {index + 1}</span>
                  <input
                    value={row.url}
                    onChange={(event) => {
                      const urls = draft.urls.slice();
                      urls[index] = event.target.value;
                      set({ urls });
                    }}
                    placeholder="http://192.168.1.10/astlinux/"
                    aria-invalid={row.problem !== null}
                    aria-describedby={row.problem ? `source-problem-${index}` : undefined}
                  />
                </label>
                <button
                  type="button"
                  className="button-quiet"
                  disabled={index === 0}
                  onClick={() => move(index, index - 1)}
                  aria-label={`Move source ${index + 1} up`}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="button-quiet"
                  disabled={index === draft.urls.length - 1}
                  onClick={() => move(index, index + 1)}
                  aria-label={`Move source ${index + 1} down`}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="button-quiet"
                  onClick={() => {
                    const urls = draft.urls.filter((_, at) => at !== index);
                    set({ urls: urls.length > 0 ? urls : [''] });
                  }}
                  aria-label={`Remove source ${index + 1}`}
                >
                  ✕
                </button>
              </div>
              {row.problem ? (
                <p className="tone-bad small" id={`source-problem-${index}`} role="alert">
                  {row.problem}
                </p>
              ) : null}
            </li>
          ))}
        </ol>
        <button type="button" onClick={() => set({ urls: [...draft.urls, ''] })}>
          Add another source
        </button>
      </fieldset>
      <label className="check">
        <input
          type="checkbox"
          checked={noSources || draft.cardFallback}
          disabled={noSources}
          onChange={(event) => set({ cardFallback: event.target.checked })}
        />
        Use the card’s own images if the network fails
      </label>
      {!noSources && !draft.cardFallback ? (
        <p className="tone-bad small">
          Without the card’s images, a card that cannot reach any source stops at the rescue summary.
        </p>
      ) : null}
      <fieldset disabled={noSources}>
        <legend>How the loader gets its address</legend>
        <label className="check">
          <input
            type="radio"
            name="address-mode"
            checked={draft.mode === 'dhcp'}
            onChange={() => set({ mode: 'dhcp' })}
          />
          Automatically (DHCP)
        </label>
        <label className="check">
          <input
            type="radio"
            name="address-mode"
            checked={draft.mode === 'static'}
            onChange={() => set({ mode: 'static' })}
          />
          A fixed address
        </label>
        {draft.mode === 'static' ? (
          <>
            <div className="inline-form">
              <label className="field grow">
                <span>Address/prefix</span>
                <input
                  value={draft.address}
                  onChange={(event) => set({ address: event.target.value })}
                  placeholder="192.168.1.20/24"
                  aria-invalid={!address.ok}
                />
              </label>
              <label className="field grow">
                <span>Gateway (optional)</span>
                <input
                  value={draft.gateway}
                  onChange={(event) => set({ gateway: event.target.value })}
                  placeholder="192.168.1.1"
                />
              </label>
              <label className="field grow">
                <span>DNS server (optional)</span>
                <input
                  value={draft.dns}
                  onChange={(event) => set({ dns: event.target.value })}
                  placeholder="192.168.1.1"
                />
              </label>
            </div>
            {!address.ok ? (
              <p className="tone-bad small" role="alert">
                {address.reason}
              </p>
            ) : null}
          </>
        ) : null}
      </fieldset>
      {written ? (
        <p className="muted small">
          Written on the card’s boot line as <code>{written}</code>
        </p>
      ) : null}
      {noSources ? <p className="muted small">With no source, the card boots its own images only.</p> : null}
      <div className="actions">
        <button type="submit" className="button-primary" disabled={!valid || saving || busy}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
      </div>
    </form>
  );
}
