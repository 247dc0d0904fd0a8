// Network boot in the desktop window, driven in Debian's Chromium against the real core on an image-file
// card: set two sources and a static address (reordering them, turning the card fallback off and on),
// see a bad address refused with its reason and nothing saved, and publish two images to a folder. Every
// claim is checked on the result itself: mtype reads the card's syslinux.cfg, sha1sum -c and parseIndex
// check the published folder.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { parseLoaderOptions } from '../../shared/loader-config.js';
import { parseIndex } from '../../shared/remote-source.js';
import {
  fakeImage,
  fsckCard,
  mtoolsImage,
  preparedCard,
  scratch,
} from '../../test/core/card/card-fixtures.js';
import { expectNoAxeViolations } from './axe.js';
import { CHROMIUM, openUi, pickPaths, see, type UiSession } from './ui-harness.js';

const MiB = 1024 * 1024;
const DOCS_SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const dir = scratch('ui-network');
const card = join(dir, 'net-card.img');
const older = fakeImage(dir, '1.0.0', MiB);
const newer = fakeImage(dir, '1.1.0', MiB + 4096);
const published = join(scratch('ui-publish'), 'www', 'astlinux');
const noChromium = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;

let ui: UiSession;

beforeAll(async () => {
  await preparedCard(card, 48 * MiB, [older, newer]);
  if (!noChromium) ui = await openUi();
});

afterAll(async () => {
  await ui?.close();
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail')
    await ui.screenshot(`failed-network-${context.task.name.replace(/\W+/g, '-')}`);
});

/** The card's syslinux.cfg, read by mtools from the FAT partition. */
function syslinuxCfg(): string {
  return execFileSync('mtype', ['-i', mtoolsImage(card, 'mbr'), '::/syslinux.cfg'], { encoding: 'utf8' });
}
const appendLine = () => /^\s*APPEND (.*)$/m.exec(syslinuxCfg())?.[1] ?? '';

const section = () => ui.page.getByTestId('network-sources');
const source = (n: number) => section().getByLabel(`Source ${n}`, { exact: true });

describe.skipIf(noChromium !== null)(
  `network boot in the astcard window${noChromium ? ` — skipped: ${noChromium}` : ''}`,
  () => {
    test('sets two sources in order and a static address; the card fallback can be turned off and on', async () => {
      const { page } = ui;
      await page.getByRole('button', { name: 'Open card image…' }).click();
      await pickPaths(page, [card]);
      await see.text(page.locator('#card-title'), basename(card));
      await see.text(section(), 'This card boots its own images only');
      await section().getByRole('button', { name: 'Set up network boot…' }).click();

      // Validation as you type, with the loader's own rules and a plain reason; Save waits for a fix.
      const save = section().getByRole('button', { name: 'Save' });
      await source(1).fill('smb://server/share');
      await see.text(section(), '"smb" sources are not supported (http, ftp, tftp, nfs are)');
      await see.disabled(save);
      await source(1).fill('https://mirror.example/astlinux/');
      await see.text(
        section(),
        'the loader cannot fetch https:// (it has no TLS); serve the folder over http://',
      );
      await see.disabled(save);
      await source(1).fill('tftp://10.0.2.2/astlinux');
      await section().getByRole('button', { name: 'Add another source' }).click();
      await source(2).fill('HTTP://10.0.2.2:8000/os');
      await section().getByRole('button', { name: 'Move source 2 up' }).click();
      expect(await source(1).inputValue()).toBe('HTTP://10.0.2.2:8000/os');
      expect(await source(2).inputValue()).toBe('tftp://10.0.2.2/astlinux');

      const fallback = section().getByRole('checkbox', {
        name: /Use the card.s own images if the network fails/,
      });
      expect(await fallback.isChecked()).toBe(true);
      await fallback.uncheck();
      await see.text(section(), 'stops at the rescue summary');
      await see.text(section(), 'card=no');
      await fallback.check();

      await section().getByRole('radio', { name: 'A fixed address' }).check();
      await see.text(section(), 'Type this card’s address with its prefix');
      await see.disabled(save);
      await section().getByLabel('Address/prefix').fill('10.0.2.100');
      await see.text(section(), 'expected an IPv4 address with its prefix, like 192.168.1.20/24');
      await section().getByLabel('Address/prefix').fill('10.0.2.100/24');
      await section().getByLabel('Gateway (optional)').fill('10.0.2.2');
      await section().getByLabel('DNS server (optional)').fill('10.0.2.3');
      await see.disabled(save, false);
      await see.text(
        section(),
        'astlinux.source=http://10.0.2.2:8000/os/,tftp://10.0.2.2/astlinux/ astlinux.ip=10.0.2.100/24,10.0.2.2,10.0.2.3',
      );
      await section().scrollIntoViewIfNeeded();
      mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
      copyFileSync(await ui.screenshot('card-network-edit'), join(DOCS_SCREENSHOTS, 'card-network-edit.png'));
      await expectNoAxeViolations(page, 'network boot, editing');
      await save.click();

      await see.text(section(), 'Saved in the card’s syslinux.cfg');
      await see.text(section().getByRole('list', { name: 'Network sources' }), 'http://10.0.2.2:8000/os/');
      await see.text(section(), 'Network: static address 10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3');
      await see.text(
        page.getByTestId('network-banner'),
        'Boots from http://10.0.2.2:8000/os/ first, then tftp://10.0.2.2/astlinux/; AstLinux-1.1.0.img on the card if those fail.',
      );
      const append = appendLine();
      expect(append).toContain('astlinux.source=http://10.0.2.2:8000/os/,tftp://10.0.2.2/astlinux/');
      expect(append).toContain('astlinux.ip=10.0.2.100/24,10.0.2.2,10.0.2.3');
      expect(append).not.toContain('card=no');
      expect(parseLoaderOptions(append).problems).toEqual([]);
      expect(fsckCard(card, 'mbr').status).toBe(0);

      copyFileSync(await ui.screenshot('card-network'), join(DOCS_SCREENSHOTS, 'card-network.png'));
      await expectNoAxeViolations(page, 'network boot, saved');
    });

    test('an address the loader would refuse shows its reason and is not saved', async () => {
      const before = syslinuxCfg();
      await section().getByRole('button', { name: 'Change…' }).click();
      await source(2).fill('http://10.0.2.2/../etc');
      await see.text(section(), 'climbs out of its folder with ..');
      await see.disabled(section().getByRole('button', { name: 'Save' }));
      await source(2).fill('http://10.0.2.2:8000/os/');
      await see.text(section(), 'This address is listed twice.');
      await see.disabled(section().getByRole('button', { name: 'Save' }));
      await section().getByRole('button', { name: 'Cancel' }).click();
      await see.visible(section().getByRole('button', { name: 'Change…' }));
      expect(syslinuxCfg()).toBe(before);
    });

    test('turning the card fallback off writes card=no and says the card never boots its own images', async () => {
      await section().getByRole('button', { name: 'Change…' }).click();
      await section()
        .getByRole('checkbox', { name: /Use the card.s own images if the network fails/ })
        .uncheck();
      await section().getByRole('button', { name: 'Save' }).click();
      await see.text(ui.page.getByTestId('network-banner'), 'never from the card’s own images');
      expect(parseLoaderOptions(appendLine()).options.sources).toEqual([
        'http://10.0.2.2:8000/os/',
        'tftp://10.0.2.2/astlinux/',
        'card=no',
      ]);
      // And back: the address stays as it was.
      await section().getByRole('button', { name: 'Change…' }).click();
      await section()
        .getByRole('checkbox', { name: /Use the card.s own images/ })
        .check();
      await section().getByRole('button', { name: 'Save' }).click();
      await see.text(ui.page.getByTestId('network-banner'), 'AstLinux-1.1.0.img on the card if those fail');
      expect(appendLine()).not.toContain('card=no');
      expect(parseLoaderOptions(appendLine()).options.ip).toBe('10.0.2.100/24,10.0.2.2,10.0.2.3');
    });

    test('publishes two images into a folder ready to serve: images, .sha1 files and the index', async () => {
      const { page } = ui;
      await page.getByRole('button', { name: 'Cards', exact: true }).click();
      // The card list says the network comes first, from the card doctor reading the card itself.
      await see.visible(
        page.getByRole('button', {
          name: new RegExp(`^${basename(card)}\\b.*AstLinux card — network first, then boots 1\\.1\\.0`),
        }),
      );
      await page.getByRole('button', { name: 'Publish for network boot…' }).click();
      const panel = page.getByTestId('publish-panel');
      await panel.getByRole('button', { name: 'Add images to publish…' }).click();
      await pickPaths(page, [older, newer]);
      await see.count(panel.getByRole('list', { name: 'Images to publish' }).getByRole('listitem'), 2);
      await panel.getByLabel('Folder to publish into').fill(published);
      await expectNoAxeViolations(page, 'publish for network boot');
      await panel.getByRole('button', { name: 'Publish', exact: true }).click();
      const result = page.getByTestId('publish-result');
      await see.text(result, `Published AstLinux-1.0.0.img, AstLinux-1.1.0.img into ${published}.`, 30_000);
      await see.text(result, 'astlinux.source=http://<server>/astlinux/');
      copyFileSync(await ui.screenshot('publish-done'), join(DOCS_SCREENSHOTS, 'publish-done.png'));
      await expectNoAxeViolations(page, 'publish for network boot, done');

      expect(readdirSync(published).sort()).toEqual([
        'AstLinux-1.0.0.img',
        'AstLinux-1.0.0.img.sha1',
        'AstLinux-1.1.0.img',
        'AstLinux-1.1.0.img.sha1',
        'astlinux.index',
      ]);
      for (const name of ['AstLinux-1.0.0.img', 'AstLinux-1.1.0.img']) {
        expect(execFileSync('sha1sum', ['-c', `${name}.sha1`], { cwd: published, encoding: 'utf8' })).toBe(
          `${name}: OK\n`,
        );
      }
      execFileSync('sha1sum', ['-c', '--strict', 'astlinux.index'], { cwd: published });
      const index = parseIndex(readFileSync(join(published, 'astlinux.index'), 'utf8'));
      expect(index.ok && index.entries.map((entry) => [entry.name, entry.size])).toEqual([
        ['AstLinux-1.1.0.img', MiB + 4096],
        ['AstLinux-1.0.0.img', MiB],
      ]);
      // The window lists what the index lists, digests included.
      if (index.ok) for (const entry of index.entries) await see.text(result, entry.sha1);
    });
  },
);
