import { useState } from 'react';
import type { CardView } from '../../../shared/api.js';
import { api } from '../api/api.js';
import { BootBanner } from '../components/BootBanner.js';
import { ErrorNote, Notice } from '../components/ErrorNote.js';
import { FIRMWARE_PROBLEM, FirmwareLine } from '../components/FirmwareLine.js';
import { FreeSpaceBar, ImagesTable } from '../components/ImagesTable.js';
import { KeysPanel } from '../components/KeysPanel.js';
import { NetworkSources } from '../components/NetworkSources.js';
import { ProgressView } from '../components/ProgressView.js';
import { SettingsPanel } from '../components/settings/SettingsPanel.js';
import { TryPanel } from '../components/try/TryPanel.js';
import { formatBytes } from '../format.js';
import { useCard } from '../stores/card-store.js';
import { useCards } from '../stores/cards-store.js';
import { choosePaths, confirm } from '../stores/dialogs-store.js';
import { useNetwork } from '../stores/network-store.js';
import { usePlace } from '../stores/place-store.js';
import { usePrepare } from '../stores/prepare-store.js';
import { useTrust } from '../stores/trust-store.js';
import { isRunning, useTry } from '../stores/try-store.js';

/** One card: what it will boot, its images, its space and keydisk, and what can be done to it. */
export function CardPage() {
  const state = useCard();
  const { view } = state;
  const listed = useCards((cards) => cards.cards.find((card) => card.id === state.id));
  const [dragging, setDragging] = useState(false);
  // A try holds the card: nothing may change it between the prediction and the boot.
  const trying = useTry((tries) => tries.run?.cardId === state.id && isRunning(tries.run));
  const busy = state.busy !== null || trying;

  const onDrop = (event: React.DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const pathFor = api().pathForFile;
    const files = [...event.dataTransfer.files];
    if (!pathFor) {
      useCard.setState({
        error: {
          code: 'drop-unsupported',
          message: 'Dropping files works in the desktop app. Here, use "Add image file…" and type the path.',
        },
      });
      return;
    }
    void state.addSources(files.map((file) => pathFor(file)));
  };

  return (
    <main
      className={`page${dragging ? ' dropping' : ''}`}
      aria-labelledby="card-title"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className="page-head">
        <div>
          <button type="button" className="button-quiet back" onClick={() => usePlace.getState().go('cards')}>
            ← Cards
          </button>
          <h1 id="card-title">{view?.card.title ?? listed?.title ?? 'Card'}</h1>
          {view ? (
            <p className="muted">
              {view.card.location} · {formatBytes(view.card.size)}
              {view.label ? ` · ${view.filesystem} “${view.label}”` : ''}
            </p>
          ) : listed ? (
            <p className="muted">
              {listed.location} · {formatBytes(listed.size)}
            </p>
          ) : null}
        </div>
        {view ? (
          <div className="actions">
            <button type="button" onClick={() => void state.eject()}>
              {view.card.kind === 'image-file' ? 'Close' : 'Eject'}
            </button>
          </div>
        ) : null}
      </div>
      {state.error ? <ErrorNote error={state.error} onDismiss={state.dismiss} /> : null}
      {state.notice ? <Notice text={state.notice} onDismiss={state.dismiss} /> : null}
      {state.loading ? <p className="muted">Reading the card…</p> : null}
      {view ? (
        <CardBody view={view} busy={busy} />
      ) : trying && state.id ? (
        // Opened while this window tries the card: the card is read once the try lets it go.
        <TryPanel cardId={state.id} />
      ) : (
        <CardWorkProgress />
      )}
    </main>
  );
}

/** What is being done to the card now: a change (with Cancel, where it belongs here) or a check. */
function CardWorkProgress() {
  const busy = useCard((state) => state.busy);
  const verifyJob = useCard((state) => state.verifyJob);
  const id = useCard((state) => state.id) ?? undefined;
  // This card's own part of the job: a batch writes several cards, each with its own figure.
  const card = id !== undefined ? { cardId: id } : {};
  return (
    <>
      {verifyJob ? <ProgressView jobId={verifyJob} title="Checking images" {...card} /> : null}
      {busy ? (
        busy.jobId ? (
          <ProgressView
            {...card}
            jobId={busy.jobId}
            title={busy.label}
            cancellable={busy.cancellable}
            {...(busy.note ? { note: busy.note } : {})}
          />
        ) : (
          <p className="muted">{busy.label}…</p>
        )
      ) : null}
    </>
  );
}

function CardBody({ view, busy }: { view: CardView; busy: boolean }) {
  const state = useCard();
  const network = useNetwork((network) => (network.cardId === view.card.id ? network.settings : null));
  const trust = useTrust((trust) => (trust.cardId === view.card.id ? trust.trust : null));
  // The damage has its own panel, with its Repair button.
  const attention = view.problems.filter(
    (problem) => !FIRMWARE_PROBLEM.test(problem.code) && problem.code !== 'volume-damaged',
  );
  const [url, setUrl] = useState('');
  // Every change is refused on a damaged card until it is repaired: its buttons are off, reading ones stay.
  const locked = busy || view.damage !== null;
  const prepareThis = () => {
    usePrepare.getState().reset(view.card.id);
    usePlace.getState().go('prepare');
  };
  const remove = async (name: string) => {
    const booting = view.boot?.image === name;
    const answer = await confirm({
      title: `Remove ${name}?`,
      body: booting
        ? `${name} is the image this card boots now. After removing it, the card boots the next older good image, if any.`
        : `${name} and its checksum file will be deleted from the card.`,
      confirmLabel: 'Remove',
      danger: true,
    });
    if (answer !== null) await state.remove(name);
  };

  const startOver = (
    <section className="panel danger-zone" aria-labelledby="erase-title">
      <h2 id="erase-title">Start over</h2>
      <p className="muted">Erase this card and prepare it again from chosen images.</p>
      <button type="button" className="button-danger" disabled={busy} onClick={prepareThis}>
        Erase and prepare…
      </button>
    </section>
  );

  if (view.damage && !view.damage.complete) {
    // Read only partway: nothing but the damage and the way out is known.
    return (
      <>
        <BootBanner view={view} checking={false} />
        <RepairOutcome />
        <CardWorkProgress />
        <DamagePanel view={view} busy={busy} />
        {startOver}
      </>
    );
  }

  return (
    <>
      <BootBanner view={view} checking={state.verifyJob !== null} network={network} />
      <RepairOutcome />
      {view.damage ? <DamagePanel view={view} busy={busy} /> : null}
      <FirmwareLine view={view} busy={locked} onUpdateLoader={() => void state.updateLoader()} />
      <CardWorkProgress />
      {!view.astlinux ? (
        <div className="actions">
          <button type="button" className="button-primary" onClick={prepareThis}>
            Prepare this card…
          </button>
        </div>
      ) : (
        <>
          <section className="panel" aria-labelledby="images-title">
            <div className="panel-head">
              <h2 id="images-title">Images</h2>
              <div className="actions">
                <button
                  type="button"
                  disabled={locked}
                  onClick={async () => {
                    const paths = await choosePaths('image');
                    if (paths) await state.addSources(paths);
                  }}
                >
                  Add image file…
                </button>
                <button
                  type="button"
                  disabled={busy || state.verifyJob !== null}
                  onClick={() => {
                    state.dismiss();
                    void state.verify();
                  }}
                >
                  Verify all
                </button>
              </div>
            </div>
            <ImagesTable
              images={view.images}
              busy={locked}
              onRemove={(image) => void remove(image.name)}
              signatures={trust && trust.policy !== 'off' ? trust.images : null}
            />
            {view.revert ? <RevertLine to={view.revert.to} busy={locked} /> : null}
            <form
              className="inline-form"
              onSubmit={(event) => {
                event.preventDefault();
                void state.addSources([url.trim()]);
                setUrl('');
              }}
            >
              <label className="field grow">
                <span>Add from a web address</span>
                <input
                  type="url"
                  value={url}
                  onChange={(event) => setUrl(event.target.value)}
                  placeholder="https://…/AstLinux-1.5.4.img"
                />
              </label>
              <button type="submit" disabled={locked || !/^https?:\/\/\S+$/i.test(url.trim())}>
                Download and add
              </button>
            </form>
            <p className="muted small">Or drop image files anywhere on this window.</p>
          </section>
          <TryPanel cardId={view.card.id} disabled={busy} />
          <div className="columns">
            <section className="panel" aria-labelledby="space-title">
              <h2 id="space-title">Space</h2>
              {view.free !== null ? <FreeSpaceBar size={view.card.size} free={view.free} /> : null}
            </section>
            <KeydiskPanel view={view} busy={busy} locked={locked} />
            <LoaderPanel view={view} busy={locked} />
          </div>
          <SettingsPanel view={view} busy={locked} />
          <NetworkSources view={view} busy={locked} />
          <KeysPanel view={view} busy={locked} />
          {attention.length > 0 && view.boot?.verified !== false ? (
            <section className="panel" aria-labelledby="problems-title">
              <h2 id="problems-title">What needs attention</h2>
              <ul className="problems">
                {attention.map((problem) => (
                  <li key={problem.code + problem.message}>{problem.message}</li>
                ))}
              </ul>
            </section>
          ) : null}
          <details className="panel">
            <summary>What the loader will print</summary>
            <pre className="boot-lines">{view.bootLines.join('\n')}</pre>
          </details>
          {startOver}
        </>
      )}
    </>
  );
}

/**
 * The card's file system is damaged, by something other than an interrupted astcard change (which the
 * next change puts right by itself): what is wrong, in the check's words, and Repair, which asks first.
 */
function DamagePanel({ view, busy }: { view: CardView; busy: boolean }) {
  const repair = useCard((state) => state.repair);
  const problems = view.damage?.problems ?? [];
  const ask = async () => {
    const answer = await confirm({
      title: "Repair this card's file system?",
      body: `${problems.map((problem) => problem.fix).join(' ')} Space marked in use that no file uses is freed. Files and parts of files that can still be read are kept; nothing else on the card is changed.`,
      confirmLabel: 'Repair',
    });
    if (answer !== null) await repair();
  };
  return (
    <section className="panel" aria-labelledby="damage-title" data-testid="damage-panel">
      <h2 id="damage-title">The card's file system is damaged</h2>
      <ul className="problems">
        {problems.map((problem) => (
          <li key={problem.code + problem.message}>{problem.message}</li>
        ))}
      </ul>
      <p>
        Nothing can be changed on this card until it is repaired: writing to damaged files could destroy
        others.
      </p>
      <div className="actions">
        <button type="button" className="button-primary" disabled={busy} onClick={() => void ask()}>
          Repair…
        </button>
      </div>
    </section>
  );
}

/** What the last repair put right and what, if anything, is still wrong. */
function RepairOutcome() {
  const repaired = useCard((state) => state.repaired);
  const dismiss = useCard((state) => state.dismiss);
  if (!repaired) return null;
  const still = repaired.remaining;
  return (
    <section
      className={`note ${still.length === 0 ? 'note-good' : 'note-bad'}`}
      role="status"
      data-testid="repair-outcome"
    >
      <div className="note-text">
        <strong>
          {repaired.repaired.length === 0 && still.length === 0
            ? 'The file system had nothing to repair.'
            : still.length === 0
              ? 'The file system is repaired.'
              : repaired.writable
                ? 'The file system is repaired; what is left does not stop changes to the card.'
                : 'The repair could not put everything right: nothing can be changed on this card yet.'}
        </strong>
        {repaired.repaired.length > 0 ? (
          <>
            <p>Found and put right:</p>
            <ul>
              {repaired.repaired.map((problem) => (
                <li key={problem.code + problem.message}>{problem.message}</li>
              ))}
            </ul>
          </>
        ) : null}
        {still.length > 0 ? (
          <>
            <p>Still wrong:</p>
            <ul>
              {still.map((problem) => (
                <li key={problem.code + problem.message}>{problem.message}</li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
      <button type="button" className="button-quiet" onClick={dismiss} aria-label="Dismiss">
        ✕
      </button>
    </section>
  );
}

/** The release the card ran before its last upgrade, and the way back to it (which asks first). */
function RevertLine({ to, busy }: { to: string; busy: boolean }) {
  const revert = useCard((state) => state.revert);
  const ask = async () => {
    const answer = await confirm({
      title: `Go back to ${to}?`,
      body: `${to} is the release this card ran before its last upgrade. It is checked against its checksum before anything changes; the newer release stays on the card, and you can switch back to it the same way.`,
      confirmLabel: 'Go back',
    });
    if (answer !== null) await revert();
  };
  return (
    <div className="revert-line" data-testid="revert-line">
      <p>
        Before its last upgrade this card ran <strong>{to}</strong>.
      </p>
      <button type="button" disabled={busy} onClick={() => void ask()}>
        Go back to {to}…
      </button>
    </div>
  );
}

/** `locked`: the card takes no change now (busy, or damaged); export only reads, so it stays on unless busy. */
function KeydiskPanel({ view, busy, locked }: { view: CardView; busy: boolean; locked: boolean }) {
  const state = useCard();
  const { keydisk } = view;
  /** Replacing a keydisk loses its keys: ask first. Null means the user said no. */
  const replaceOk = async (): Promise<boolean | null> => {
    if (!keydisk.present) return false;
    const answer = await confirm({
      title: 'Replace the keydisk?',
      body: 'This card already has a keydisk. Its keys are lost when it is replaced, unless you exported it first.',
      confirmLabel: 'Replace',
      danger: true,
    });
    return answer === null ? null : true;
  };
  return (
    <section className="panel" aria-labelledby="keydisk-title">
      <h2 id="keydisk-title">Keydisk</h2>
      <p>{keydiskWhere(keydisk)}</p>
      <div className="actions">
        <button
          type="button"
          disabled={locked}
          onClick={async () => {
            const replace = await replaceOk();
            if (replace !== null) await state.createKeydisk(replace);
          }}
        >
          New
        </button>
        <button
          type="button"
          disabled={locked}
          onClick={async () => {
            const [path] = (await choosePaths('keydisk')) ?? [];
            if (!path) return;
            const replace = await replaceOk();
            if (replace !== null) await state.importKeydisk(path, replace);
          }}
        >
          Import…
        </button>
        <button
          type="button"
          disabled={busy || !keydisk.present}
          onClick={async () => {
            const [path] = (await choosePaths('save-keydisk')) ?? [];
            if (path) await state.exportKeydisk(path);
          }}
        >
          Export…
        </button>
      </div>
    </section>
  );
}

function LoaderPanel({ view, busy }: { view: CardView; busy: boolean }) {
  const updateLoader = useCard((state) => state.updateLoader);
  const { loader } = view;
  if (view.runnix?.isDefault) {
    // RUNNIX, AstLinux's own loader, starts this card: astcard's loader is offered, not pressed on the user.
    return (
      <section className="panel" aria-labelledby="loader-title">
        <h2 id="loader-title">Loader</h2>
        <p>
          RUNNIX{view.runnix.version ? ` (${view.runnix.version})` : ''}, AstLinux's own loader. astcard's
          loader can start this card instead; RUNNIX stays on it as a choice in the boot menu.
        </p>
        <div className="actions">
          <button type="button" disabled={busy} onClick={() => void updateLoader()}>
            Use astcard's loader
          </button>
        </div>
      </section>
    );
  }
  const outdated = !loader.present || (loader.appVersion !== null && loader.version !== loader.appVersion);
  return (
    <section className="panel" aria-labelledby="loader-title">
      <h2 id="loader-title">Loader</h2>
      <p>
        {loader.present ? `Version ${loader.version ?? 'unknown'}` : 'Missing'}
        {loader.appVersion && loader.version !== loader.appVersion
          ? ` — this app has ${loader.appVersion}`
          : ''}
      </p>
      <div className="actions">
        <button
          type="button"
          className={outdated ? 'button-primary' : undefined}
          disabled={busy}
          onClick={() => void updateLoader()}
        >
          {outdated ? 'Update loader' : 'Rewrite loader'}
        </button>
      </div>
    </section>
  );
}

/** Where the keydisk is: on the card (kd.img), or on another disk the loader finds by label or UUID. */
function keydiskWhere(keydisk: CardView['keydisk']): string {
  if (!keydisk.present) return 'None';
  const location = keydisk.location ?? '';
  if (location === '' || location.startsWith('card:')) {
    return `On the card${keydisk.size !== null ? ` (${formatBytes(keydisk.size)})` : ''}`;
  }
  if (location.startsWith('partition ')) {
    // AstLinux's own layout: the keydisk is a partition of this card, found by its ASTKD label.
    return `On the card, in its own partition (${location}${keydisk.size !== null ? `, ${formatBytes(keydisk.size)}` : ''})`;
  }
  const [kind, value] = [location.slice(0, location.indexOf(':')), location.slice(location.indexOf(':') + 1)];
  if (kind === 'label') return `Not on this card: the loader looks for a disk labelled ${value}`;
  if (kind === 'uuid') return `Not on this card: the loader looks for the disk with UUID ${value}`;
  return `Not on this card: the loader looks for ${location}`;
}
