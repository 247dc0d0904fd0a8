import type { CardView, NetworkSettings } from '../../../shared/api.js';
import { networkSentence } from './NetworkSources.js';

const CHECKSUM_WORDS: Record<string, string> = {
  mismatch: 'does not match its checksum',
  missing: 'has no checksum file',
  malformed: 'has a damaged checksum file',
};

/**
 * The shared boot plan's decision, in one sentence, or the exact problem; for a card with network sources,
 * first where it boots from over the network.
 */
export function BootBanner({
  view,
  checking,
  network = null,
}: {
  view: CardView;
  checking: boolean;
  network?: NetworkSettings | null;
}) {
  const first = view.astlinux ? networkSentence(network, view.boot?.image ?? null) : null;
  const body = <BannerBody view={view} checking={checking} />;
  if (!first) return body;
  const networkOnly = network?.cardFallback === false;
  return (
    <>
      <section className="banner banner-neutral" aria-live="polite" data-testid="network-banner">
        <h2>
          {networkOnly ? 'This card boots from the network only' : 'This card boots from the network first'}
        </h2>
        <p>{first}</p>
      </section>
      {networkOnly ? null : body}
    </>
  );
}

function BannerBody({ view, checking }: { view: CardView; checking: boolean }) {
  if (view.damage && !view.damage.complete) {
    // Reading stopped at the damage: saying "cannot boot" or "not an AstLinux card" would claim too much.
    return (
      <Banner tone="bad" title="astcard cannot tell what this card boots">
        Its file system is damaged where astcard had to read it. Repair it; the card is then read again.
      </Banner>
    );
  }
  if (!view.astlinux) {
    const empty = view.filesystem === null;
    return (
      <Banner tone="neutral" title={empty ? 'This card is empty' : 'This is not an AstLinux card'}>
        {empty
          ? 'It has no partition or file system yet. Prepare it to make it an AstLinux card.'
          : `It holds a ${view.filesystem} volume without the AstLinux loader. Preparing it erases what is on it.`}
      </Banner>
    );
  }
  const boot = view.boot;
  const skipped = view.images.filter((image) => CHECKSUM_WORDS[image.checksum]);
  if (!boot) {
    return (
      <Banner tone="bad" title="This card cannot boot">
        {view.images.length === 0
          ? 'There is no AstLinux image on it. Add one.'
          : `No image on it passes its check, so the loader would stop at a rescue shell. ${skipped
              .map((image) => `${image.name} ${CHECKSUM_WORDS[image.checksum]}.`)
              .join(' ')} Add a good image.`}
      </Banner>
    );
  }
  const version = `AstLinux ${boot.version ?? boot.image}`;
  // "Verified" only against a checksum someone published or signed; one astcard computed itself when it
  // copied the file proves the copy, not the download.
  const source = view.images.find((image) => image.name === boot.image)?.checksumSource ?? null;
  const checked =
    source === 'recorded'
      ? 'checksum matches the one astcard recorded (none was published)'
      : 'checksum verified';
  if (boot.by === 'runnix') {
    // RUNNIX boots what os/ver names, checked or not: its own reasoning, as inspect gives it.
    const state = view.images.find((image) => image.name === boot.image)?.checksum ?? 'unverified';
    const title =
      state === 'ok'
        ? `This card will boot ${version} — ${checked}`
        : state === 'unverified'
          ? `This card will boot ${version}`
          : `This card will boot ${version}, although it fails its check`;
    return (
      <Banner tone={state === 'ok' ? 'good' : state === 'unverified' ? 'neutral' : 'bad'} title={title}>
        {view.bootLines.join(' ')}
        {state === 'unverified' ? (checking ? ' Checking it now…' : ' Use Verify all to check it.') : ''}
      </Banner>
    );
  }
  if (!boot.verified) {
    return (
      <Banner tone="neutral" title={`This card will boot ${version}`}>
        {checking
          ? 'Checking the images as the loader will…'
          : 'Its checksum has not been checked yet: use Verify all.'}
      </Banner>
    );
  }
  const newerBad = skipped.filter(
    (image) => view.images.indexOf(image) < view.images.findIndex((i) => i.boots),
  );
  if (newerBad.length > 0) {
    return (
      <Banner tone="warning" title={`This card will boot ${version} — ${checked}`}>
        {newerBad
          .map((image) => `${image.name} ${CHECKSUM_WORDS[image.checksum]}, so the loader skips it.`)
          .join(' ')}{' '}
        It falls back to {boot.image}. Remove the damaged image and add it again.
      </Banner>
    );
  }
  const trouble = view.problems.find(
    (problem) => problem.code.startsWith('loader') || problem.code.startsWith('syslinux'),
  );
  return (
    <Banner tone={trouble ? 'warning' : 'good'} title={`This card will boot ${version} — ${checked}`}>
      {trouble ? trouble.message : `The loader picks ${boot.image}, the newest image that passes its check.`}
    </Banner>
  );
}

function Banner({ tone, title, children }: { tone: string; title: string; children: React.ReactNode }) {
  return (
    <section className={`banner banner-${tone}`} aria-live="polite" data-testid="boot-banner">
      <h2>{title}</h2>
      <p>{children}</p>
    </section>
  );
}
