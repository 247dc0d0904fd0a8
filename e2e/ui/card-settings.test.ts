// The PBX settings in the desktop window (issue 19), driven in Debian's Chromium against the real core on
// image-file cards: in the card view, a host name and a static address are set, invalid input is
// explained beside its field (and saving waits), and the preview is exactly the file on the card; in
// Prepare, "Set up this PBX" puts them into the new keydisk. Every claim is checked on the card: its kd.img
// copied off by mtools, checked by e2fsck -fn and read by debugfs, as AstLinux would find it. axe-core
// runs on every new part, in both themes.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { fakeImage, mtoolsRead, preparedCard, scratch } from '../../test/core/card/card-fixtures.js';
import { expectNoAxeViolations } from './axe.js';
import { CHROMIUM, openUi, pickPaths, see, type UiSession } from './ui-harness.js';

const MiB = 1024 * 1024;
const dir = scratch('ui-settings');
const card = join(dir, 'pbx-card.img');
const fresh = join(dir, 'fresh-card.img');
const image = fakeImage(dir, '1.5.10', MiB);
const noChromium = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;

let ui: UiSession;

beforeAll(async () => {
  await preparedCard(card, 40 * MiB, [image]);
  execFileSync('truncate', ['-s', '40M', fresh]);
  if (!noChromium) ui = await openUi();
}, 120_000);

afterAll(async () => {
  await ui?.close();
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail')
    await ui.screenshot(`failed-settings-${context.task.name.replace(/\W+/g, '-')}`);
});

/** The card's kd.img, copied off by mtools: e2fsck's verdict and its user.conf as debugfs reads it. */
function keydiskOf(path: string): { fsck: number; userConf: string } {
  const kd = join(dir, `kd-${Math.random().toString(36).slice(2)}.img`);
  writeFileSync(kd, mtoolsRead(path, 'mbr', 'kd.img'));
  const fsck = spawnSync('e2fsck', ['-fn', kd], { encoding: 'utf8' }).status ?? -1;
  const userConf = execFileSync('debugfs', ['-R', 'cat /rc.conf.d/user.conf', kd], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return { fsck, userConf };
}

const panel = () => ui.page.getByTestId('pbx-settings');

async function openCardImage(path: string) {
  await ui.page.getByRole('navigation').getByRole('button', { name: 'Cards', exact: true }).click();
  await ui.page.getByRole('button', { name: 'Open card image…' }).click();
  await pickPaths(ui.page, [path]);
  await see.text(ui.page.locator('#card-title'), basename(path));
}

describe.skipIf(noChromium !== null)(
  `PBX settings in the astcard window${noChromium ? ` — skipped: ${noChromium}` : ''}`,
  () => {
    test('the card view sets a host name and a static address; bad input is explained inline; the preview is the file on the card', async () => {
      const { page } = ui;
      await openCardImage(card);
      // No keydisk yet: the section says where settings live and how to get one.
      await see.text(panel(), 'AstLinux keeps its settings on the keydisk, and this card has none');
      await panel().scrollIntoViewIfNeeded();
      await ui.screenshot('settings-1-no-keydisk');
      await page.getByRole('region', { name: 'Keydisk' }).getByRole('button', { name: 'New' }).click();
      await see.text(panel(), 'The keydisk has no settings file yet');
      await see.text(panel().getByTestId('settings-hostname'), 'pbx (AstLinux default)');
      await ui.screenshot('settings-2-defaults');

      await panel().getByRole('button', { name: 'Change…' }).click();
      const save = panel().getByRole('button', { name: 'Save to the keydisk' });
      await see.disabled(save);
      await expectNoAxeViolations(page, 'the PBX settings form');

      // A host name with an underscore: the settings model's reason, beside the field; saving waits.
      const hostname = panel().getByRole('textbox', { name: /^Host name/ });
      await hostname.fill('pbx_1');
      await see.text(panel(), 'HOSTNAME: "pbx_1" is not a host name: use letters, digits and hyphens only');
      await see.attribute(hostname, 'aria-invalid', 'true');
      await see.disabled(save);
      // The reason is the field's description, so a screen reader reads it with the field.
      const describedBy = (await hostname.getAttribute('aria-describedby')) ?? '';
      await see.text(page.locator(`#${describedBy.split(' ')[0]}`), 'is not a host name');
      await ui.screenshot('settings-3-invalid-hostname');
      await expectNoAxeViolations(page, 'the PBX settings form with a refused value');

      await hostname.fill('pbx1');
      await see.attribute(hostname, 'aria-invalid', 'false');
      await panel().getByRole('radio', { name: 'A static address' }).check();
      const address = panel().getByRole('textbox', { name: /^Static address/ });
      await address.fill('10.20.30.40');
      // An address without a netmask cannot be configured: said beside it.
      await see.text(panel(), 'The static address 10.20.30.40 needs a netmask in EXTNM');
      await see.disabled(save);
      await address.fill('10.20.30.400');
      await see.text(panel(), 'EXTIP: ');
      await see.attribute(address, 'aria-invalid', 'true');
      await address.fill('10.20.30.40/24');
      await panel()
        .getByRole('textbox', { name: /^Gateway/ })
        .fill('10.20.30.1');
      await panel()
        .getByRole('textbox', { name: /^DNS servers/ })
        .fill('10.20.30.1 9.9.9.9');
      await panel()
        .getByRole('combobox', { name: /^Time zone/ })
        .fill('Europe/Berlin');
      await panel().getByRole('button', { name: 'Add a variable' }).click();
      await panel().getByRole('textbox', { name: 'Variable 1 name' }).fill('SSHD_PORT');
      await panel().getByRole('textbox', { name: 'Variable 1 value' }).fill('2222');
      const preview = panel().getByTestId('settings-preview-text');
      await see.text(preview, 'SSHD_PORT="2222"');
      await see.disabled(save, false);
      const previewed = (await preview.textContent()) ?? '';
      expect(previewed).toContain('HOSTNAME="pbx1"');
      expect(previewed).toContain('EXTIP="10.20.30.40"');
      expect(previewed).toContain('EXTNM="255.255.255.0"');
      await preview.scrollIntoViewIfNeeded();
      await ui.screenshot('settings-4-static-address-preview');
      await expectNoAxeViolations(page, 'the PBX settings form with its preview');

      await save.click();
      await see.text(
        panel(),
        'Saved HOSTNAME, TIMEZONE, EXTIP, EXTNM, EXTGW, DNS, SSHD_PORT in rc.conf.d/user.conf',
      );
      const { fsck, userConf } = keydiskOf(card);
      expect(fsck).toBe(0);
      // The preview is the file on the card, line for line.
      expect(userConf.trimEnd()).toBe(previewed.trimEnd());
      await see.text(panel().getByTestId('settings-hostname'), 'pbx1');
      await see.text(
        panel().getByTestId('settings-network'),
        'eth0: static address 10.20.30.40 / 255.255.255.0, gateway 10.20.30.1, DNS 10.20.30.1 9.9.9.9',
      );
      await panel().scrollIntoViewIfNeeded();
      await ui.screenshot('settings-5-saved');
      await expectNoAxeViolations(page, 'the PBX settings after saving');

      // Back to DHCP: the static-only variables are removed, the rest stays exactly as it was.
      await panel().getByRole('button', { name: 'Change…' }).click();
      await panel().getByRole('radio', { name: 'Automatically (DHCP)' }).check();
      await see.text(panel(), 'Removed: EXTIP, EXTNM, EXTGW.');
      const dhcp = (await preview.textContent()) ?? '';
      await panel().getByRole('button', { name: 'Save to the keydisk' }).click();
      await see.text(panel().getByTestId('settings-network'), 'eth0: automatic address (DHCP)');
      const after = keydiskOf(card);
      expect(after.fsck).toBe(0);
      expect(after.userConf.trimEnd()).toBe(dhcp.trimEnd());
      expect(after.userConf).toBe(
        userConf
          .split('\n')
          .filter((line) => !/^EXT(IP|NM|GW)=/.test(line))
          .join('\n'),
      );
    });

    test('Prepare’s “Set up this PBX” writes the settings into the new keydisk', async () => {
      const { page } = ui;
      await openCardImage(fresh);
      await page.getByRole('navigation').getByRole('button', { name: 'Prepare a new card' }).click();
      const startOver = page.getByRole('button', { name: 'Start over' });
      if (await startOver.isVisible()) await startOver.click();
      await page.getByRole('button', { name: 'Add image files…' }).click();
      await pickPaths(page, [image]);
      await page.getByRole('button', { name: 'Next: choose cards' }).click();
      await page
        .locator('label.pick', { hasText: basename(fresh) })
        .getByRole('checkbox')
        .check();
      await page.getByRole('button', { name: 'Next: options' }).click();
      await page.getByRole('button', { name: 'Set up this PBX…' }).click();
      // No keydisk chosen: the step says the settings need one, and offers a new one.
      await see.text(page.getByRole('region', { name: 'Set up this PBX' }), '“No keydisk” is chosen');
      await ui.screenshot('settings-6-prepare-needs-keydisk');
      await page.getByRole('button', { name: 'Make a new keydisk for them' }).click();
      const hostname = page.getByRole('textbox', { name: /^Host name/ });
      await hostname.fill('-bad');
      await see.text(
        page.getByRole('region', { name: 'Set up this PBX' }),
        'HOSTNAME: "-bad" is not a host name',
      );
      const erase = page.getByRole('button', { name: 'Erase and prepare the card' });
      await see.disabled(erase);
      await hostname.fill('branch-7');
      await page.getByRole('combobox', { name: /^Time zone/ }).fill('America/Chicago');
      const preview = page.getByTestId('settings-preview-text');
      await see.text(preview, 'TIMEZONE="America/Chicago"');
      await see.disabled(erase, false);
      const previewed = (await preview.textContent()) ?? '';
      await ui.screenshot('settings-7-prepare-setup');
      await expectNoAxeViolations(page, 'Prepare: set up this PBX');

      // Back to the options and forward again: what was typed is kept.
      await page.getByRole('button', { name: 'Back' }).click();
      await see.text(
        page.getByTestId('prepare-settings-summary'),
        'HOSTNAME=branch-7, TIMEZONE=America/Chicago',
      );
      await page.getByRole('button', { name: 'Change the PBX settings…' }).click();
      await see.attribute(page.getByRole('textbox', { name: /^Host name/ }), 'value', 'branch-7');
      await page.getByRole('button', { name: 'Erase and prepare the card' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Erase and prepare' }).click();
      await see.text(page.locator('#step-done'), 'The card is ready', 60_000);
      await see.text(
        page.getByTestId('prepared-settings'),
        'PBX settings HOSTNAME, TIMEZONE in rc.conf.d/user.conf',
      );
      await ui.screenshot('settings-8-prepared');
      const { fsck, userConf } = keydiskOf(fresh);
      expect(fsck).toBe(0);
      expect(userConf.trimEnd()).toBe(previewed.trimEnd());
    });
  },
);
