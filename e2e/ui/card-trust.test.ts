// Signed images (issue 21) and UEFI readiness (issue 18) in the card view, driven in Debian's Chromium
// against the real core on an image-file card. Keys and signed lists are made by Debian's signify-openbsd
// (not by astcard). Trusting a key (chosen in the window's file browser) puts it on the card (read back by
// mtools), fills the image list's "Signed by" column, and makes the card view predict the signed image
// over a newer unsigned one; removing it takes all that back. The firmware line says "Boots on BIOS and
// UEFI computers" for a prepared card; with its EFI boot program deleted (mtools), BIOS only and why, and
// "Update the loader" puts it back. axe-core runs on each new state. No QEMU.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { fakeImage, mtoolsImage, preparedCard, scratch } from '../../test/core/card/card-fixtures.js';
import { expectNoAxeViolations } from './axe.js';
import { CHROMIUM, openUi, pickPaths, see, type UiSession } from './ui-harness.js';

const MiB = 1024 * 1024;
const SIGNIFY = '/usr/bin/signify-openbsd';
const dir = scratch('ui-trust');
const card = join(dir, 'signed-card.img');
const skip = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (apt-get install chromium)`
  : !existsSync(SIGNIFY)
    ? `${SIGNIFY} is missing (apt-get install signify-openbsd)`
    : null;

let ui: UiSession;
let publisherPub: string;

/** A signify key pair, as a publisher makes it. */
function signifyKey(name: string, comment: string): { pub: string; sec: string } {
  const pub = join(dir, `${name}.pub`);
  const sec = join(dir, `${name}.sec`);
  execFileSync(SIGNIFY, ['-G', '-n', '-c', comment, '-p', pub, '-s', sec]);
  return { pub, sec };
}

/** `signify -S -e` over a one-line SHA-256 list of the image: `<image>.sha256.sig`. */
function signifyList(image: string, sec: string): string {
  const digest = createHash('sha256').update(readFileSync(image)).digest('hex');
  const list = `${image}.sha256`;
  writeFileSync(list, `SHA256 (${basename(image)}) = ${digest}\n`);
  execFileSync(SIGNIFY, ['-S', '-e', '-s', sec, '-m', list, '-x', `${list}.sig`]);
  return `${list}.sig`;
}

const mtools = (command: string, ...args: string[]) =>
  execFileSync(command, ['-i', mtoolsImage(card, 'mbr'), ...args], { encoding: 'utf8' });

beforeAll(async () => {
  if (skip) return;
  const signed = fakeImage(dir, '1.5.10', MiB);
  const unsigned = fakeImage(dir, '1.5.11', MiB);
  const stranger = fakeImage(dir, '1.5.9', MiB);
  await preparedCard(card, 48 * MiB, [signed, unsigned, stranger]);
  const publisher = signifyKey('publisher', 'Example Telecom release key');
  const other = signifyKey('other', 'someone else');
  publisherPub = publisher.pub;
  mtools('mcopy', signifyList(signed, publisher.sec), '::/');
  mtools('mcopy', signifyList(stranger, other.sec), '::/');
  ui = await openUi();
}, 120_000);

afterAll(async () => {
  await ui?.close();
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail')
    await ui.screenshot(`failed-trust-${context.task.name.replace(/\W+/g, '-')}`);
});

const keys = () => ui.page.getByTestId('trusted-keys');
const firmware = () => ui.page.getByTestId('firmware-line');
const banner = () => ui.page.getByTestId('boot-banner');
const row = (name: string) => ui.page.getByRole('row').filter({ hasText: name });

async function openCard() {
  await ui.page.getByRole('navigation').getByRole('button', { name: 'Cards', exact: true }).click();
  await ui.page.getByRole('button', { name: 'Open card image…' }).click();
  await pickPaths(ui.page, [card]);
  await see.text(ui.page.locator('#card-title'), basename(card));
  await see.text(banner(), 'checksum verified', 60_000);
}

describe.skipIf(skip !== null)(
  `Signed images and UEFI in the card view${skip ? ` — skipped: ${skip}` : ''}`,
  () => {
    test('trusting a publisher’s key: on the card, who signed what, and the signed image preferred', async () => {
      const { page } = ui;
      await openCard();
      // No key: signatures play no part, and the window claims nothing about them.
      await see.text(banner(), 'This card will boot AstLinux 1.5.11');
      await see.text(keys(), 'This card trusts no key');
      await see.count(page.getByRole('columnheader', { name: 'Signed by' }), 0);
      await keys().scrollIntoViewIfNeeded();
      await ui.screenshot('trust-1-no-key');

      await keys().getByRole('button', { name: 'Choose key file…' }).click();
      await see.text(page.getByRole('dialog'), 'Choose a public key to trust');
      await expectNoAxeViolations(page, 'the key file browser');
      await pickPaths(page, [publisherPub]);
      await see.text(keys(), `The card now trusts the key in ${publisherPub}.`);
      expect(mtools('mtype', '::/keys/publisher.pub')).toBe(readFileSync(publisherPub, 'utf8'));
      await see.text(keys(), 'Signed images first (astlinux.signed=preferred)');
      await see.text(
        keys().getByRole('list', { name: 'Keys this card trusts' }),
        'Example Telecom release key',
      );
      await see.count(page.getByRole('columnheader', { name: 'Signed by' }), 1);
      await see.text(row('AstLinux-1.5.10.img'), '✓ Example Telecom release key');
      await see.text(row('AstLinux-1.5.11.img'), 'unsigned');
      await see.text(row('AstLinux-1.5.9.img'), '✗ unknown key');
      // The card view predicts again: the signed 1.5.10 over the newer unsigned 1.5.11, as the loader will.
      await see.text(banner(), 'This card will boot AstLinux 1.5.10', 60_000);
      await page.locator('#card-title').scrollIntoViewIfNeeded();
      await ui.screenshot('trust-2-key-trusted');
      await expectNoAxeViolations(page, 'the card view with a trusted key');

      await keys().getByRole('button', { name: 'Remove keys/publisher.pub' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Remove key' }).click();
      await see.text(keys(), 'Removed keys/publisher.pub.');
      await see.text(keys(), 'This card trusts no key');
      expect(mtools('mdir', '-b', '::/keys/').trim()).toBe('');
      await see.count(page.getByRole('columnheader', { name: 'Signed by' }), 0);
      await see.text(banner(), 'This card will boot AstLinux 1.5.11', 60_000);

      // A file that is not a key: refused in plain words, nothing changes.
      const bogus = join(dir, 'bogus.pub');
      writeFileSync(bogus, 'not a key\n');
      await keys()
        .getByRole('textbox', { name: /^Public key file to trust/ })
        .fill(bogus);
      await keys().getByRole('button', { name: 'Trust this key' }).click();
      await see.text(keys(), 'bogus.pub is not a signify public key');
      await keys().scrollIntoViewIfNeeded();
      await ui.screenshot('trust-3-not-a-key');
      await expectNoAxeViolations(page, 'a refused key file');
      expect(mtools('mdir', '-b', '::/keys/').trim()).toBe('');
    });

    test('UEFI readiness: BIOS and UEFI; without the EFI boot program, BIOS only and why; Update the loader fixes it', async () => {
      const { page } = ui;
      await openCard();
      await see.text(firmware(), '✓ Boots on BIOS and UEFI computers.');
      await see.count(firmware().getByRole('button'), 0);

      mtools('mdel', '::/EFI/BOOT/BOOTX64.EFI');
      // Opened again: the card view reads the card as it is now.
      await page.getByRole('button', { name: 'Close' }).click();
      await openCard();
      await see.text(firmware(), 'Boots on BIOS computers only, not on UEFI ones.');
      await see.text(firmware(), 'Update the loader');
      await ui.screenshot('uefi-1-bios-only');
      await expectNoAxeViolations(page, 'a card that does not start on UEFI');

      await firmware().getByRole('button', { name: 'Update the loader' }).click();
      await see.text(firmware(), '✓ Boots on BIOS and UEFI computers.', 60_000);
      expect(mtools('mdir', '-b', '::/EFI/BOOT/').toUpperCase()).toContain('BOOTX64.EFI');
      await ui.screenshot('uefi-2-fixed');
    });
  },
);
