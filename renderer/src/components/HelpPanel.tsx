import { useEffect, useRef } from 'react';
import { appInfo } from '../api/api.js';

/** The AstLinux project's site, where its releases are downloaded. */
export const ASTLINUX_SITE = 'https://www.astlinux-project.org/';

/**
 * Help beside whatever is on screen (it never takes the place of a running job's page): where AstLinux
 * images come from, what a keydisk is, and what to do with a finished card. Every sentence here is about
 * what this app and its loader do; the card format and the loader are in docs/card-format.md.
 */
export function HelpPanel({ onClose }: { onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const browser = !appInfo().nativeDialogs;
  return (
    <aside className="help-panel" aria-labelledby="help-title">
      <div className="panel-head">
        <h2 id="help-title" ref={heading} tabIndex={-1}>
          Help
        </h2>
        <button type="button" className="button-quiet" onClick={onClose}>
          Close help
        </button>
      </div>

      <section aria-labelledby="help-images">
        <h3 id="help-images">Where AstLinux images come from</h3>
        <p>
          The AstLinux project publishes its releases on its website,{' '}
          {/* Opens outside the app (Electron hands https links to the system browser); no address is passed on. */}
          <a href={ASTLINUX_SITE} target="_blank" rel="noreferrer noopener">
            www.astlinux-project.org
          </a>{' '}
          — look for its download page, and take the release made for your machine.
        </p>
        <p>
          astcard takes what you download as it is: a release (<code>astlinux-1.5.10.tar.gz</code>), an image
          (<code>AstLinux-1.5.10.img</code>), a <code>.zip</code> holding one, or the web address of a
          download. Keep the checksum file published beside a download (<code>.sha1</code>) next to it:
          astcard then checks the download against it before anything is written.
        </p>
      </section>

      <section aria-labelledby="help-keydisk">
        <h3 id="help-keydisk">What a keydisk is</h3>
        <p>
          AstLinux keeps your system’s own settings and files — network addresses, passwords, the Asterisk
          configuration — on a keydisk, apart from the AstLinux image (AstLinux uses it as{' '}
          <code>/mnt/kd</code>
          ). So a new image leaves your settings as they are.
        </p>
        <p>
          On a card astcard prepares, the keydisk is the file <code>kd.img</code>. When you prepare a card you
          choose: no keydisk, a new empty one (for a new system), or a copy of one you have (to move a system
          to a new card). On a card’s page, <strong>Export…</strong> under Keydisk saves a copy of it: keep
          one as a backup.
        </p>
      </section>

      <section aria-labelledby="help-finished">
        <h3 id="help-finished">When the card is ready</h3>
        <ol>
          <li>Wait until astcard says the card is done, then take it out.</li>
          <li>
            Put it into the AstLinux machine — its CompactFlash slot, or a USB port for a USB stick — and
            switch the machine on. The machine must be set to start from that card; on a UEFI machine, Secure
            Boot must be off.
          </li>
          <li>
            The card’s loader starts the newest AstLinux image whose checksum is right. If none can start, it
            says why on the screen and opens a rescue shell.
          </li>
          <li>
            To upgrade later, add the new image to the card (on the card’s page:{' '}
            <strong>Add image file…</strong>
            ). The previous image stays: if the new one is damaged, the card starts the previous one.
          </li>
        </ol>
        <p className="muted small">
          A card image file is a copy of a whole card: write it onto a card with any disk image writer, or
          insert the card and prepare it with astcard directly.
        </p>
      </section>

      {browser ? (
        <section aria-labelledby="help-browser">
          <h3 id="help-browser">astcard in your browser</h3>
          <p>
            This page is served by astcard on this computer only. Keep the terminal where you started it open;
            Ctrl-C there stops astcard.
          </p>
        </section>
      ) : null}
    </aside>
  );
}
